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
    pub fn weekday_factors(
        &self,
        nation: Option<usize>,
        until: NaiveDate,
        history: u32,
        prior: f64,
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

/// A run's view of the factors: one per day of the periods.
pub fn factors_for(p: &Periods, weekday: &[f64; 7]) -> Vec<f64> {
    (0..p.len())
        .map(|i| {
            let d = p.baseline_start + chrono::Duration::days(i as i64);
            weekday[d.weekday().num_days_from_monday() as usize]
        })
        .collect()
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

/// What one aggregation gives: the daily series of every cell and the detail rows.
pub struct Prepared {
    pub table: CellTable,
    pub rows: Rows,
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

/// Aggregate the signal table up to `until` (inclusive) into daily cell series, and index the rows
/// from `detail_from` on for the details of elevated cells.
pub fn prepare(
    lf: LazyFrame,
    rules: &ScoringRules,
    until: NaiveDate,
    detail_from: NaiveDate,
) -> PolarsResult<Prepared> {
    let until_i = epoch_days(until);
    let base = lf
        .with_row_index("row", None)
        .with_columns([
            col("day").cast(DataType::Int32).alias("d"),
            weight_expr(rules).alias("w"),
        ])
        .filter(col("d").lt_eq(lit(until_i)));
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
    let daily_of = |rows: LazyFrame, keys: Vec<Expr>| {
        rows.group_by(keys)
            .agg([col("d").min().alias("first"), col("w").max().alias("w")])
            .group_by([col("category"), col("cell"), col("first")])
            .agg([
                col("w").sum().alias("w"),
                (col("w") * col("w")).sum().alias("w2"),
                len().alias("n"),
            ])
    };
    let daily = concat(
        [
            daily_of(
                province_rows.clone(),
                vec![col("category"), col("cell"), col("cluster")],
            ),
            daily_of(
                nation_rows.clone(),
                vec![col("category"), col("cluster"), col("cell")],
            ),
        ],
        UnionArgs::default(),
    )?
    .collect()?;
    let table = cell_table(&daily, until_i)?;

    // Detail rows: the rows from `detail_from` on, with the first day of their cluster in their
    // cell, found among the rows of the clusters seen since then only.
    let from_i = epoch_days(detail_from);
    let recent = col("d").gt_eq(lit(from_i));
    let seen = base
        .clone()
        .filter(recent.clone())
        .group_by([col("category"), col("cluster")])
        .agg([len().alias("copies")]);
    let history = base
        .clone()
        .select([col("category"), col("province"), col("cluster"), col("d")])
        .join(
            seen,
            [col("category"), col("cluster")],
            [col("category"), col("cluster")],
            JoinArgs::new(JoinType::Inner),
        );
    let first_in =
        |rows: LazyFrame, keys: Vec<Expr>| rows.group_by(keys).agg([col("d").min().alias("first")]);
    let province_first = first_in(
        history
            .clone()
            .filter(in_province)
            .with_column(col("province").alias("cell")),
        vec![col("category"), col("cell"), col("cluster")],
    );
    let nation_first = first_in(
        history.filter(is_abroad.not()),
        vec![col("category"), col("cluster")],
    );
    let keys3 = [col("category"), col("cell"), col("cluster")];
    let keys2 = [col("category"), col("cluster")];
    let detail = concat(
        [
            province_rows.filter(recent.clone()).join(
                province_first,
                keys3.clone(),
                keys3,
                JoinArgs::new(JoinType::Inner),
            ),
            nation_rows.filter(recent).join(
                nation_first,
                keys2.clone(),
                keys2,
                JoinArgs::new(JoinType::Inner),
            ),
        ],
        UnionArgs::default(),
    )?
    .filter(col("first").gt_eq(lit(from_i)))
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
    })
}

fn cell_table(daily: &DataFrame, until: i32) -> PolarsResult<CellTable> {
    let cats = daily.column("category")?.str()?;
    let cells = daily.column("cell")?.str()?;
    let first = daily.column("first")?.i32()?;
    let w = daily.column("w")?.f64()?;
    let w2 = daily.column("w2")?.f64()?;
    let n = daily.column("n")?.cast(&DataType::UInt32)?;
    let n = n.u32()?;
    let Some(start) = first.min() else {
        return Ok(CellTable::default());
    };
    let days = usize::try_from(until - start + 1).unwrap_or(0);
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
