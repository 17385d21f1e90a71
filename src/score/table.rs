//! Aggregation over the loaded signal table (`super::load`): the only pass over every signal.
//!
//! Data flows: records sorted by (category, cluster, province, day) → per category, on every
//! core: each cluster's first day and largest weight (source × channel) in its province cell and
//! in the nation cell → Σw, Σw², clusters per (cell, first day) → [`CellTable`], dense daily
//! series per cell; and beside them what the calendar and outages measure ([`Disturb`]). The few
//! rows a run must read one by one (the window signals of elevated cells: sources, cities,
//! hazards, evidence, parties) come from [`Rows`]: the table's rows from `detail_from` on whose
//! cluster is first seen in their cell from then on, read back with every column (pass two, only
//! the pieces that hold them); `Signal`s are built only for those.
//!
//! `super::reference` keeps the polars plan this replaced (issue 22); the tests hold the two to
//! the same tables and alerts.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use super::ScoreError;
use super::aggregate::{Cell, CellSeries, Periods};
use super::disturb::{Disturb, Outage};
use super::load::{Place, Rec, Table, on_cores};
use super::rules::ScoringRules;
use crate::model::{Channel, DocKind, Parties, Signal};
use crate::store::signals::{epoch_days, from_epoch_days};

/// The name of the nation cell in the `cell` column.
pub const NATION: &str = "全国";

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
        let first = self.offset(p.baseline_start);
        let len = p.len();
        let window = p.window_offset();
        let (mut daily, mut weight_sum, mut weight_sq, mut clusters) =
            (Vec::with_capacity(len), 0.0, 0.0, 0u32);
        for i in 0..len {
            let d = first + i as i64;
            let w = self.at(&self.w[k], d);
            daily.push(w);
            weight_sum += w;
            weight_sq += self.at(&self.w2[k], d);
            if i >= window {
                clusters += self.at(&self.n[k], d);
            }
        }
        CellSeries {
            category: &key.category,
            cell: key.cell(),
            daily,
            window_clusters: clusters,
            weight_sum,
            weight_sq,
            factors: factors.to_vec(),
            window_signals: Vec::new(),
        }
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
            let wd = (start + chrono::Duration::days(d))
                .weekday()
                .num_days_from_monday() as usize;
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

/// The table's rows from some day on, each once, and per cell the rows counted there with the
/// first day of their cluster in that cell, by day.
pub struct Rows {
    df: DataFrame,
    /// Per cell key: (row position in `df`, first day of its cluster in the cell), by day, then
    /// table row.
    by_key: Vec<Vec<(u32, i32)>>,
    /// Per row position: its day.
    day: Vec<i32>,
}

impl Rows {
    /// `df` with the columns [`Rows::signal`] reads (`row`, `t`, `sev` and the table's).
    pub(super) fn new(df: DataFrame, by_key: Vec<Vec<(u32, i32)>>, day: Vec<i32>) -> Rows {
        Rows { df, by_key, day }
    }

    /// Positions of the rows of key `k` with day in `from ..= to` whose cluster is first seen in
    /// the cell on or after `from` (reposts of older stories are old news).
    pub fn window(&self, k: usize, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        let (from, to) = (epoch_days(from), epoch_days(to));
        let Some(rows) = self.by_key.get(k) else {
            return Vec::new();
        };
        let start = rows.partition_point(|&(r, _)| self.day[r as usize] < from);
        rows[start..]
            .iter()
            .take_while(|&&(r, _)| self.day[r as usize] <= to)
            .filter(|&&(_, first)| first >= from)
            .map(|&(r, _)| r as usize)
            .collect()
    }

    /// The signal of a row: the caller's own (with its parties) when the table was built from
    /// `source`, else one built from the table (no parties).
    pub fn signal(&self, r: usize, source: Option<&[Signal]>) -> Option<Signal> {
        let get_u32 = |name: &str| -> Option<u32> { self.df.column(name).ok()?.idx().ok()?.get(r) };
        if let Some(src) = source {
            let row = get_u32("row")?;
            return src.get(row as usize).cloned();
        }
        let s = |name: &str| -> Option<String> {
            self.df
                .column(name)
                .ok()?
                .str()
                .ok()?
                .get(r)
                .map(str::to_string)
        };
        let time = self.df.column("t").ok()?.i64().ok()?.get(r)?;
        let channel_name = s("source_kind")?;
        let channel = Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == channel_name)?;
        let kind = s("kind")
            .and_then(|k| DocKind::parse(&k))
            .unwrap_or(match channel {
                Channel::Complaint => DocKind::Complaint,
                Channel::Regulator => DocKind::Notice,
                Channel::Platform => DocKind::Listing,
                Channel::Media => DocKind::Media,
                Channel::Standard => DocKind::Standard,
            });
        let severity = self.df.column("sev").ok()?.i32().ok()?.get(r)?;
        Some(Signal {
            doc_id: s("doc")?,
            time: chrono::DateTime::from_timestamp_millis(time)?,
            category: s("category")?,
            hazard: s("hazard")?,
            severity: severity.clamp(1, 4) as u8,
            province: s("province"),
            city: s("city"),
            source: s("source")?,
            channel,
            kind,
            weight: self.df.column("weight").ok()?.f32().ok()?.get(r)?,
            cluster: s("cluster")?,
            parties: Parties::default(),
        })
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

/// The first day a run as of `as_of` (or later) reads: its baseline's first day, or the first of
/// the weekday history before its guard band, with a day to spare.
pub(super) fn earliest_read(rules: &ScoringRules, as_of: NaiveDate) -> i32 {
    let p = super::aggregate::Periods::new(&rules.window, as_of);
    let history = if rules.weekday.enabled {
        rules.weekday.history_days + 1
    } else {
        0
    };
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
    cells: HashMap<u16, Series>,
    /// Detail rows: (table row, cell code, first day of its cluster in the cell).
    detail: Vec<(u32, u16, i32)>,
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

fn aggregate_category(recs: &[Rec], f: &Filter) -> CatOut {
    let mut out = CatOut {
        outage_w: vec![(0.0, false); f.outages.len()],
        ..CatOut::default()
    };
    let len = usize::try_from(f.until - f.base + 1).unwrap_or(0);
    let clen = usize::try_from(f.until - f.channel_from + 1).unwrap_or(0);
    let add = |out: &mut CatOut, cell: u16, first: i32, w: f64| {
        let s = out.cells.entry(cell).or_default();
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
                            out.detail.push((r.row, run[a].prov, first));
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
                        out.detail.push((r.row, NATION_CELL, nation_first));
                    }
                }
            }
        }
        i = j;
    }
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
    let catchup = rules.outage.catchup_days;
    let lo = t.day_bounds().map_or(until_i, |(lo, _)| lo);
    let f = Filter {
        until: until_i,
        floor: floor_i,
        base: floor_i.max(lo).min(until_i),
        detail_from: epoch_days(detail_from),
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
    };
    let per_cat: Vec<CatOut> = on_cores(t.by_cat.len(), |c| -> Result<CatOut, ScoreError> {
        Ok(aggregate_category(&t.by_cat[c], &f))
    })?;

    // Cell keys, sorted by category, then the nation, then provinces.
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
    // The series start on the first day a counted cluster is first seen.
    let start = per_cat
        .iter()
        .flat_map(|o| o.cells.values())
        .filter_map(|s| s.n.iter().position(|&n| n > 0))
        .min();
    let table = match start {
        None => CellTable::default(),
        Some(s0) => {
            let series = |c: u16, cell: u16| per_cat[c as usize].cells.get(&cell);
            let cut = |v: Option<&Vec<f64>>| -> Vec<f64> {
                v.filter(|v| !v.is_empty())
                    .map_or_else(Vec::new, |v| v[s0..].to_vec())
            };
            let days = usize::try_from(until_i - f.base + 1).unwrap_or(0) - s0;
            let fill = |v: Vec<f64>| if v.is_empty() { vec![0.0; days] } else { v };
            CellTable {
                start: Some(from_epoch_days(f.base + s0 as i32)),
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
    };
    let disturb = measure_disturb(t, &per_cat, &f, rules, outages);
    let skip: Vec<bool> = (0..table.days)
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
        .collect();

    // Detail rows, read back once each.
    let index: HashMap<(u16, u16), usize> = if table.keys.is_empty() {
        HashMap::new()
    } else {
        keys.iter()
            .enumerate()
            .map(|(i, k)| ((k.1, k.2), i))
            .collect()
    };
    let mut wanted: Vec<u32> = per_cat
        .iter()
        .flat_map(|o| o.detail.iter().map(|d| d.0))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let aggregated = started.elapsed();
    let df = t.detail(&wanted)?;
    tracing::debug!(
        cells = table.keys.len(),
        detail_rows = wanted.len(),
        aggregate_ms = aggregated.as_millis() as u64,
        detail_ms = (started.elapsed() - aggregated).as_millis() as u64,
        "signal table aggregated"
    );
    let df = df
        .lazy()
        .select([
            col("row"),
            col("day").cast(DataType::Int32).alias("d"),
            col("time").cast(DataType::Int64).alias("t"),
            col("severity").cast(DataType::Int32).alias("sev"),
            col("category"),
            col("hazard"),
            col("province"),
            col("city"),
            col("source"),
            col("source_kind"),
            col("kind"),
            col("weight"),
            col("cluster"),
            col("doc"),
        ])
        .collect()?;
    let day: Vec<i32> = df.column("d")?.i32()?.into_no_null_iter().collect();
    let mut by_key: Vec<Vec<(u32, i32)>> = vec![Vec::new(); table.keys.len()];
    for (c, out) in per_cat.iter().enumerate() {
        for &(row, cell, first) in &out.detail {
            if let (Some(&k), Ok(pos)) = (index.get(&(c as u16, cell)), wanted.binary_search(&row))
            {
                by_key[k].push((pos as u32, first));
            }
        }
    }
    for rows in &mut by_key {
        // Positions follow table rows, so this is by day, then row.
        rows.sort_unstable_by_key(|&(r, _)| (day[r as usize], r));
    }
    Ok(Prepared {
        table,
        rows: Rows::new(df, by_key, day),
        disturb,
        skip,
    })
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
    use crate::model::Parties;
    use crate::store::signals::to_frame;

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
        let df = to_frame(&signals).unwrap();
        let prep = prepare(
            &crate::score::load_frame(df.lazy()).unwrap(),
            &rules,
            d(30),
            d(30),
            d(24),
            &[],
        )
        .unwrap();
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
            .map(|r| prep.rows.signal(r, None).unwrap().doc_id)
            .collect();
        assert_eq!(docs, ["a", "b", "c"]);
        let own = prep.rows.window(1, d(24), d(30));
        let s = prep.rows.signal(own[1], Some(&signals)).unwrap();
        assert_eq!(s, signals[1], "the caller's own signal, by row");
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
                &crate::score::load_frame(to_frame(signals).unwrap().lazy()).unwrap(),
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
            &crate::score::load_frame(to_frame(&signals).unwrap().lazy()).unwrap(),
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
