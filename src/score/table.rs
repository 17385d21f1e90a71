//! Aggregation with polars over the signal table (`crate::store::signals`): the only pass over
//! every signal.
//!
//! Data flows: signal table (lazy) → weight (source × channel) and cells (province, nation) →
//! group-by (category, cell, cluster): first day, largest weight → group-by (category, cell, day):
//! Σw, Σw², clusters → [`CellTable`], dense daily series per cell. The few rows a run must read
//! one by one (the window signals of elevated cells: sources, cities, hazards, evidence, parties)
//! come from [`Rows`], the table's rows from `detail_from` on, indexed by cell and day; `Signal`s
//! are built only for those.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use super::aggregate::{Cell, CellSeries, Periods};
use super::disturb::{Disturb, Outage};
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

/// The table's rows from some day on, with each row's cell and the first day of its cluster in
/// that cell, indexed by cell and day.
pub struct Rows {
    df: DataFrame,
    /// Per cell key: row positions in `df`, by day.
    by_key: Vec<Vec<u32>>,
    day: Vec<i32>,
    first: Vec<i32>,
}

impl Rows {
    /// Positions of the rows of key `k` with day in `from ..= to` whose cluster is first seen in
    /// the cell on or after `from` (reposts of older stories are old news).
    pub fn window(&self, k: usize, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        let (from, to) = (epoch_days(from), epoch_days(to));
        let Some(rows) = self.by_key.get(k) else {
            return Vec::new();
        };
        let start = rows.partition_point(|&r| self.day[r as usize] < from);
        rows[start..]
            .iter()
            .map(|&r| r as usize)
            .take_while(|&r| self.day[r] <= to)
            .filter(|&r| self.first[r] >= from)
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

/// Rows of a source (or channel) an outage names.
fn outage_rows(o: &Outage) -> Expr {
    match (&o.source, o.channel) {
        (Some(s), _) => col("source").eq(lit(s.as_str())),
        (None, Some(c)) => col("source_kind").eq(lit(c.as_str())),
        (None, None) => lit(false),
    }
}

/// Sums of `w` by the string key columns `keys`, as (keys…, sum) rows.
fn sums(lf: LazyFrame, keys: &[&str]) -> PolarsResult<DataFrame> {
    lf.group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([col("w").sum().alias("w")])
        .collect()
}

/// The calendar's and the outages' measurements over the national rows (`nation`, before the
/// outages' rows are left out): each category's channel mix and outage shares, and the national
/// weight per channel and day of the sources with no outage (from three years before `until`).
fn measure_disturb(
    nation: LazyFrame,
    rules: &ScoringRules,
    outages: &[Outage],
    until: i32,
) -> PolarsResult<Disturb> {
    let mut d = Disturb {
        calendar: rules.calendar.clone(),
        outages: outages.to_vec(),
        catchup_days: rules.outage.catchup_days,
        ..Disturb::default()
    };
    let by_channel = sums(nation.clone(), &["category", "source_kind"])?;
    let mut totals: HashMap<String, f64> = HashMap::new();
    {
        let cats = by_channel.column("category")?.str()?;
        let chans = by_channel.column("source_kind")?.str()?;
        let w = by_channel.column("w")?.f64()?;
        for i in 0..by_channel.height() {
            let (Some(c), Some(ch), Some(w)) = (cats.get(i), chans.get(i), w.get(i)) else {
                continue;
            };
            *totals.entry(c.to_string()).or_default() += w;
            if let Some(k) = Channel::ALL.iter().position(|x| x.as_str() == ch) {
                d.channel_share.entry(c.to_string()).or_insert([0.0; 5])[k] += w;
            }
        }
    }
    for (c, share) in d.channel_share.iter_mut() {
        let t = totals.get(c).copied().unwrap_or(0.0);
        if t > 0.0 {
            share.iter_mut().for_each(|x| *x /= t);
        }
    }
    for (k, o) in outages.iter().enumerate() {
        let df = sums(nation.clone().filter(outage_rows(o)), &["category"])?;
        let cats = df.column("category")?.str()?;
        let w = df.column("w")?.f64()?;
        for i in 0..df.height() {
            let (Some(c), Some(w)) = (cats.get(i), w.get(i)) else {
                continue;
            };
            let t = totals.get(c).copied().unwrap_or(0.0);
            let v = d
                .outage_share
                .entry(c.to_string())
                .or_insert_with(|| vec![0.0; outages.len()]);
            if t > 0.0 {
                v[k] = w / t;
            }
        }
    }
    let any_outage_source = outages
        .iter()
        .fold(lit(false), |acc, o| acc.or(outage_rows(o)));
    let from = until - 3 * 366 - 60;
    let daily = sums(
        nation
            .filter(any_outage_source.not())
            .filter(col("d").gt_eq(lit(from))),
        &["source_kind", "d"],
    )?;
    let days = daily.column("d")?.i32()?;
    if let Some(start) = days.iter().flatten().min() {
        let len = usize::try_from(until - start + 1).unwrap_or(0);
        d.start = Some(from_epoch_days(start));
        d.channel_daily = std::array::from_fn(|_| vec![0.0; len]);
        let chans = daily.column("source_kind")?.str()?;
        let w = daily.column("w")?.f64()?;
        for i in 0..daily.height() {
            let (Some(ch), Some(day), Some(w)) = (chans.get(i), days.get(i), w.get(i)) else {
                continue;
            };
            if let (Some(k), Ok(j)) = (
                Channel::ALL.iter().position(|x| x.as_str() == ch),
                usize::try_from(day - start),
            ) && j < len
            {
                d.channel_daily[k][j] += w;
            }
        }
    }
    Ok(d)
}

/// A signal's weight as an expression: source weight (non-finite or negative → 0) × channel weight
/// (an unknown channel → 0).
fn weight_expr(rules: &ScoringRules) -> Expr {
    let w = col("weight").cast(DataType::Float64);
    let w = when(w.clone().gt(lit(0.0)).and(w.clone().lt(lit(f64::INFINITY))))
        .then(w)
        .otherwise(lit(0.0));
    let mut chw: Option<Then> = None;
    let mut chain: Option<ChainedThen> = None;
    for ch in Channel::ALL {
        let cond = col("source_kind").eq(lit(ch.as_str()));
        let v = lit(rules.channel_weight.get(ch));
        match (chw.take(), chain.take()) {
            (None, None) => chw = Some(when(cond).then(v)),
            (Some(t), _) => chain = Some(t.when(cond).then(v)),
            (None, Some(c)) => chain = Some(c.when(cond).then(v)),
        }
    }
    let chw = match (chw, chain) {
        (_, Some(c)) => c.otherwise(lit(0.0)),
        (Some(t), None) => t.otherwise(lit(0.0)),
        (None, None) => lit(1.0),
    };
    w * chw
}

/// The first day a run as of `as_of` (or later) reads: its baseline's first day, or the first of
/// the weekday history before its guard band, with a day to spare.
fn earliest_read(rules: &ScoringRules, as_of: NaiveDate) -> i32 {
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

/// Aggregate the signal table up to `until` (inclusive) into daily cell series for runs as of
/// `first_run` … `until`, and index the rows from `detail_from` on for the details of elevated
/// cells. Clusters first seen before anything those runs read are old news to all of them and
/// are left out, so one signal dated 1900 (a CMS placeholder) cannot make the series span
/// centuries.
///
/// The rows of a source with an outage, from its first day down to the end of its catch-up days,
/// are left out of everything (its silence and its backlog alike); [`Disturb`] measures what the
/// expectations need to account for them.
pub fn prepare(
    lf: LazyFrame,
    rules: &ScoringRules,
    first_run: NaiveDate,
    until: NaiveDate,
    detail_from: NaiveDate,
    outages: &[Outage],
) -> PolarsResult<Prepared> {
    let until_i = epoch_days(until);
    let floor_i = earliest_read(rules, first_run.min(until));
    let all = lf
        .with_row_index("row", None)
        .with_columns([
            col("day").cast(DataType::Int32).alias("d"),
            weight_expr(rules).alias("w"),
        ])
        .filter(col("d").lt_eq(lit(until_i)));
    let catchup = rules.outage.catchup_days;
    let left_out = outages.iter().fold(lit(false), |acc, o| {
        acc.or(outage_rows(o)
            .and(col("d").gt_eq(lit(epoch_days(o.from))))
            .and(col("d").lt_eq(lit(epoch_days(o.excluded_until(catchup))))))
    });
    let base = if outages.is_empty() {
        all.clone()
    } else {
        all.clone().filter(left_out.not())
    };
    // Places abroad count nowhere. Their names are few: list them, then test equality (this
    // polars build has no string functions).
    let provinces = base.clone().select([col("province").unique()]).collect()?;
    let abroad: Vec<String> = provinces
        .column("province")?
        .str()?
        .iter()
        .flatten()
        .filter(|p| p.starts_with("境外"))
        .map(str::to_string)
        .collect();
    let is_abroad = abroad
        .iter()
        .fold(lit(false), |acc, a| {
            acc.or(col("province").eq(lit(a.as_str())))
        })
        .fill_null(lit(false));
    let in_province = col("province")
        .is_not_null()
        .and(col("province").neq(lit(NATION)))
        .and(is_abroad.clone().not());
    // Province cells and the nation cell are de-duplicated separately (no union of the rows:
    // at 10 million signals it would be 20 million rows in memory).
    let province_rows = base
        .clone()
        .filter(in_province.clone())
        .with_column(col("province").alias("cell"));
    let nation_rows = base
        .clone()
        .filter(is_abroad.clone().not())
        .with_column(lit(NATION).alias("cell"));
    // Each cluster's first day and largest weight in each of its cells: the daily series sum
    // them by first day, and the detail rows take their cluster's first day from them (one
    // group-by over the rows for both; a replay's detail rows are most of the table, so a second
    // pass over its history to find first days cost as much again).
    let first_of = |rows: LazyFrame| {
        rows.group_by([col("category"), col("cell"), col("cluster")])
            .agg([col("d").min().alias("first"), col("w").max().alias("w")])
    };
    let firsts = concat(
        [
            first_of(province_rows.clone()),
            first_of(nation_rows.clone()),
        ],
        UnionArgs::default(),
    )?
    .collect()?;
    let daily = firsts
        .clone()
        .lazy()
        .group_by([col("category"), col("cell"), col("first")])
        .agg([
            col("w").sum().alias("w"),
            (col("w") * col("w")).sum().alias("w2"),
            len().alias("n"),
        ])
        .collect()?;
    let table = cell_table(&daily, floor_i, until_i)?;
    let disturb = measure_disturb(all.filter(is_abroad.clone().not()), rules, outages, until_i)?;
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

    // Detail rows: the rows from `detail_from` on whose cluster is first seen in their cell from
    // then on, with that first day.
    let from_i = epoch_days(detail_from);
    let recent = col("d").gt_eq(lit(from_i));
    let keys3 = [col("category"), col("cell"), col("cluster")];
    let recent_firsts = firsts
        .lazy()
        .filter(col("first").gt_eq(lit(from_i)))
        .select([col("category"), col("cell"), col("cluster"), col("first")]);
    let detail = concat(
        [
            province_rows.filter(recent.clone()),
            nation_rows.filter(recent),
        ],
        UnionArgs::default(),
    )?
    .join(
        recent_firsts,
        keys3.clone(),
        keys3,
        JoinArgs::new(JoinType::Inner),
    )
    .select([
        col("category"),
        col("cell"),
        col("d"),
        col("first"),
        col("row"),
        col("time").cast(DataType::Int64).alias("t"),
        col("hazard"),
        col("severity").cast(DataType::Int32).alias("sev"),
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
    // One chunk per column: rows are read one by one below.
    let mut detail = detail;
    detail.rechunk_mut();
    let index: HashMap<(&str, &str), usize> = table
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                (k.category.as_str(), k.province.as_deref().unwrap_or(NATION)),
                i,
            )
        })
        .collect();
    let mut by_key: Vec<Vec<u32>> = vec![Vec::new(); table.keys.len()];
    let day: Vec<i32> = detail.column("d")?.i32()?.into_no_null_iter().collect();
    let first: Vec<i32> = detail.column("first")?.i32()?.into_no_null_iter().collect();
    {
        let cats = detail.column("category")?.str()?;
        let cells = detail.column("cell")?.str()?;
        for (r, (c, cell)) in cats.iter().zip(cells.iter()).enumerate() {
            if let (Some(c), Some(cell)) = (c, cell)
                && let Some(&k) = index.get(&(c, cell))
            {
                by_key[k].push(r as u32);
            }
        }
    }
    for rows in &mut by_key {
        rows.sort_by_key(|&r| (day[r as usize], r));
    }
    Ok(Prepared {
        table,
        rows: Rows {
            df: detail,
            by_key,
            day,
            first,
        },
        disturb,
        skip,
    })
}

fn cell_table(daily: &DataFrame, floor: i32, until: i32) -> PolarsResult<CellTable> {
    let cats = daily.column("category")?.str()?;
    let cells = daily.column("cell")?.str()?;
    let first = daily.column("first")?.i32()?;
    let w = daily.column("w")?.f64()?;
    let w2 = daily.column("w2")?.f64()?;
    let n = daily.column("n")?.cast(&DataType::UInt32)?;
    let n = n.u32()?;
    // Clusters first seen before the floor are left out as if absent (their rows' offsets are
    // negative below), so the series start where the data that counts starts.
    let Some(start) = first.iter().flatten().filter(|&f| f >= floor).min() else {
        return Ok(CellTable::default());
    };
    let days = usize::try_from(i64::from(until) - i64::from(start) + 1).unwrap_or(0);
    let mut keys: Vec<CellKey> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (c, cell) in cats.iter().zip(cells.iter()) {
        let (Some(c), Some(cell)) = (c, cell) else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) =
            index.entry((c.to_string(), cell.to_string()))
        {
            e.insert(keys.len());
            keys.push(CellKey {
                category: c.to_string(),
                province: (cell != NATION).then(|| cell.to_string()),
            });
        }
    }
    // Category, then the nation (None sorts first), then provinces.
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut rank = vec![0; keys.len()];
    for (pos, &k) in order.iter().enumerate() {
        rank[k] = pos;
    }
    let sorted: Vec<CellKey> = order.iter().map(|&k| keys[k].clone()).collect();
    let mut t = CellTable {
        start: Some(from_epoch_days(start)),
        days,
        w: vec![vec![0.0; days]; sorted.len()],
        w2: vec![vec![0.0; days]; sorted.len()],
        n: vec![vec![0; days]; sorted.len()],
        keys: sorted,
    };
    for i in 0..daily.height() {
        let (Some(c), Some(cell), Some(f)) = (cats.get(i), cells.get(i), first.get(i)) else {
            continue;
        };
        let Some(&k) = index.get(&(c.to_string(), cell.to_string())) else {
            continue;
        };
        let Some(d) = usize::try_from(f - start).ok().filter(|&d| d < days) else {
            continue;
        };
        let k = rank[k];
        t.w[k][d] += w.get(i).unwrap_or(0.0);
        t.w2[k][d] += w2.get(i).unwrap_or(0.0);
        t.n[k][d] += n.get(i).unwrap_or(0);
    }
    Ok(t)
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
        let prep = prepare(df.lazy(), &rules, d(30), d(30), d(24), &[]).unwrap();
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
                to_frame(signals).unwrap().lazy(),
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
            to_frame(&signals).unwrap().lazy(),
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
