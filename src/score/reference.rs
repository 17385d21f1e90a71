//! The aggregation as it was before issue 22, kept as the reference the new one is held to: a
//! polars lazy plan over the whole signal table (string keys, one group-by per cell kind, a join
//! for the detail rows). `tests` compare [`prepare`]'s result and the alerts scored from it with
//! `super::table`'s, on the simulated year and on the demo's signals; nothing else calls it.
//!
//! Kept word for word but for the end, which builds the detail rows in the new shape (each row
//! once per cell, with its cluster's first day there, ordered by day and then table row).

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::disturb::{Disturb, Outage};
use super::load::NATION;
use super::rules::ScoringRules;
use super::table::{CellKey, CellTable, Prepared, Rows, earliest_read, skipped_days};
use crate::model::Channel;
use crate::store::columnar::{SignalColumns, StrCol};
use crate::store::signals::{epoch_days, from_epoch_days};

/// A signal table as the polars frame this plan reads (the schema earlier versions had).
pub fn to_polars(t: &SignalColumns) -> DataFrame {
    let strs = |name: &str, c: &StrCol| Column::new(name.into(), c.iter().collect::<Vec<_>>());
    let time = Int64Chunked::from_vec("time".into(), t.time.clone())
        .into_datetime(TimeUnit::Milliseconds, Some(polars::prelude::TimeZone::UTC))
        .into_series();
    let day = Int32Chunked::from_vec("day".into(), t.day.clone())
        .into_date()
        .into_series();
    DataFrame::new(
        t.len(),
        vec![
            time.into(),
            day.into(),
            strs("category", &t.category),
            strs("hazard", &t.hazard),
            Column::new("severity".into(), t.severity.clone()),
            strs("province", &t.province),
            strs("city", &t.city),
            strs("source", &t.source),
            strs("source_kind", &t.source_kind),
            strs("kind", &t.kind),
            Column::new("weight".into(), t.weight.clone()),
            strs("cluster", &t.cluster),
            strs("doc", &t.doc),
        ],
    )
    .unwrap_or_default()
}

/// The detail rows of the plan as a signal table and their table rows.
fn detail_table(detail: &DataFrame) -> PolarsResult<(SignalColumns, Vec<u32>)> {
    let strs =
        |name: &str| -> PolarsResult<StrCol> { Ok(detail.column(name)?.str()?.iter().collect()) };
    let mut t = SignalColumns::with_rows(detail.height());
    t.time = detail.column("t")?.i64()?.into_no_null_iter().collect();
    t.day = detail.column("d")?.i32()?.into_no_null_iter().collect();
    t.category = strs("category")?;
    t.hazard = strs("hazard")?;
    t.severity = detail
        .column("sev")?
        .i32()?
        .into_no_null_iter()
        .map(|v| i8::try_from(v).unwrap_or(0))
        .collect();
    t.province = strs("province")?;
    t.city = strs("city")?;
    t.source = strs("source")?;
    t.source_kind = strs("source_kind")?;
    t.kind = strs("kind")?;
    t.weight = detail
        .column("weight")?
        .f32()?
        .into_no_null_iter()
        .collect();
    t.cluster = strs("cluster")?;
    t.doc = strs("doc")?;
    let rows = detail.column("row")?.idx()?.into_no_null_iter().collect();
    Ok((t, rows))
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
    let is_abroad = abroad(&base)?;
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
    let skip = skipped_days(&table, rules, outages);

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
    let by_key = rows_by_cell(&detail, &table)?;
    Ok(Prepared {
        table,
        rows: {
            let (t, rows) = detail_table(&detail)?;
            Rows::new(&t, &rows, by_key)
        },
        disturb,
        skip,
    })
}

/// Whether a row's place is abroad: places abroad count nowhere. Their names are few: list
/// them, then test equality (this polars build has no string functions).
fn abroad(base: &LazyFrame) -> PolarsResult<Expr> {
    let provinces = base.clone().select([col("province").unique()]).collect()?;
    let abroad: Vec<String> = provinces
        .column("province")?
        .str()?
        .iter()
        .flatten()
        .filter(|p| p.starts_with("境外"))
        .map(str::to_string)
        .collect();
    Ok(abroad
        .iter()
        .fold(lit(false), |acc, a| {
            acc.or(col("province").eq(lit(a.as_str())))
        })
        .fill_null(lit(false)))
}

/// The detail rows of each cell of the table, as (detail row, day, cluster's first day), in
/// day order and then the input's.
fn rows_by_cell(detail: &DataFrame, table: &CellTable) -> PolarsResult<Vec<Vec<(u32, i32, i32)>>> {
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
    let mut by_key: Vec<Vec<(u32, i32, i32)>> = vec![Vec::new(); table.keys.len()];
    let day: Vec<i32> = detail.column("d")?.i32()?.into_no_null_iter().collect();
    let first: Vec<i32> = detail.column("first")?.i32()?.into_no_null_iter().collect();
    let row: Vec<IdxSize> = detail.column("row")?.idx()?.into_no_null_iter().collect();
    {
        let cats = detail.column("category")?.str()?;
        let cells = detail.column("cell")?.str()?;
        for (r, (c, cell)) in cats.iter().zip(cells.iter()).enumerate() {
            if let (Some(c), Some(cell)) = (c, cell)
                && let Some(&k) = index.get(&(c, cell))
            {
                by_key[k].push((r as u32, day[r], first[r]));
            }
        }
    }
    for rows in &mut by_key {
        rows.sort_by_key(|&(r, d, _)| (d, row[r as usize]));
    }
    Ok(by_key)
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

/// The old and the new aggregation side by side (for tests).
pub mod compare {
    use super::*;
    use crate::score::load::load;
    use crate::score::replay::replay_prepared;
    use crate::score::{
        Replay, Run, ScoreError, ScoreOutput, ScoringRules, score_loaded, score_prepared, table,
    };
    use crate::store::signal_read::SignalSource;

    /// Relative tolerance of sums: the two add the same numbers in another order.
    const REL: f64 = 1e-9;

    fn close(a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= REL * a.abs().max(b.abs())
    }

    /// Every number within [`REL`], everything else equal; the first difference, by path.
    pub fn same_json(
        a: &serde_json::Value,
        b: &serde_json::Value,
        path: &str,
    ) -> Result<(), String> {
        use serde_json::Value as V;
        match (a, b) {
            (V::Number(x), V::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                if close(x, y) {
                    Ok(())
                } else {
                    Err(format!("{path}: {x} vs {y}"))
                }
            }
            (V::Array(x), V::Array(y)) => {
                if x.len() != y.len() {
                    return Err(format!("{path}: {} vs {} items", x.len(), y.len()));
                }
                x.iter()
                    .zip(y)
                    .enumerate()
                    .try_for_each(|(i, (x, y))| same_json(x, y, &format!("{path}[{i}]")))
            }
            (V::Object(x), V::Object(y)) => {
                if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                    return Err(format!("{path}: keys differ"));
                }
                x.iter()
                    .try_for_each(|(k, v)| same_json(v, &y[k], &format!("{path}.{k}")))
            }
            _ if a == b => Ok(()),
            _ => Err(format!("{path}: {a} vs {b}")),
        }
    }

    pub fn same_output(a: &ScoreOutput, b: &ScoreOutput, what: &str) -> Result<(), String> {
        let j = |o: &ScoreOutput| serde_json::json!({"alerts": o.alerts, "sampling": o.sampling, "dismissed": o.dismissed});
        same_json(&j(a), &j(b), what)
    }

    pub fn same_replay(a: &Replay, b: &Replay, what: &str) -> Result<(), String> {
        same_json(
            &serde_json::to_value(&a.changes).unwrap_or_default(),
            &serde_json::to_value(&b.changes).unwrap_or_default(),
            &format!("{what}.changes"),
        )?;
        same_output(&a.last, &b.last, &format!("{what}.last"))?;
        if (a.from, a.to) != (b.from, b.to) {
            return Err(format!("{what}: replayed days differ"));
        }
        Ok(())
    }

    /// The two aggregations of one table: cells, series, what the calendar and outages measure,
    /// and every cell's detail rows over `window`.
    pub fn same_prepared(
        a: &Prepared,
        b: &Prepared,
        window: (NaiveDate, NaiveDate),
    ) -> Result<(), String> {
        let (x, y) = (&a.table, &b.table);
        if x.keys != y.keys || x.start != y.start || x.days != y.days || x.n != y.n {
            return Err(format!(
                "cells: {} vs {} keys, start {:?} vs {:?}, {} vs {} days, counts equal: {}",
                x.keys.len(),
                y.keys.len(),
                x.start,
                y.start,
                x.days,
                y.days,
                x.n == y.n
            ));
        }
        for k in 0..x.keys.len() {
            for d in 0..x.days {
                if !close(x.w[k][d], y.w[k][d]) || !close(x.w2[k][d], y.w2[k][d]) {
                    return Err(format!("{:?} day {d}: weights differ", x.keys[k]));
                }
            }
            let rows = |p: &Prepared| -> Vec<Option<crate::model::Signal>> {
                p.rows
                    .window(k, window.0, window.1)
                    .into_iter()
                    .map(|r| p.rows.signal(r, None).cloned())
                    .collect()
            };
            let (ra, rb) = (rows(a), rows(b));
            if ra != rb {
                return Err(format!(
                    "{:?}: {} vs {} detail rows, or other rows",
                    x.keys[k],
                    ra.len(),
                    rb.len()
                ));
            }
        }
        if a.skip != b.skip {
            return Err("skipped days differ".into());
        }
        let (p, q) = (&a.disturb, &b.disturb);
        let share = |m: &HashMap<String, [f64; 5]>, n: &HashMap<String, [f64; 5]>| {
            m.len() == n.len()
                && m.iter().all(|(k, v)| {
                    n.get(k)
                        .is_some_and(|w| v.iter().zip(w).all(|(a, b)| close(*a, *b)))
                })
        };
        let outage = |m: &HashMap<String, Vec<f64>>, n: &HashMap<String, Vec<f64>>| {
            m.len() == n.len()
                && m.iter().all(|(k, v)| {
                    n.get(k).is_some_and(|w| {
                        v.len() == w.len() && v.iter().zip(w).all(|(a, b)| close(*a, *b))
                    })
                })
        };
        let daily = p
            .channel_daily
            .iter()
            .zip(&q.channel_daily)
            .all(|(v, w)| v.len() == w.len() && v.iter().zip(w).all(|(a, b)| close(*a, *b)));
        if p.start != q.start || !daily {
            return Err(format!(
                "channel series: start {:?} vs {:?}, lengths {:?} vs {:?}",
                p.start,
                q.start,
                p.channel_daily.iter().map(Vec::len).collect::<Vec<_>>(),
                q.channel_daily.iter().map(Vec::len).collect::<Vec<_>>()
            ));
        }
        if !share(&p.channel_share, &q.channel_share) || !outage(&p.outage_share, &q.outage_share) {
            return Err("channel or outage shares differ".into());
        }
        Ok(())
    }

    fn items(h: &str) -> Vec<String> {
        vec![format!("{h}检测")]
    }

    /// One run as of `as_of` over `frame`, by both: the aggregations compared, then the outputs.
    pub fn compare_run(
        rules: &ScoringRules,
        table: &SignalColumns,
        as_of: NaiveDate,
        outages: &[Outage],
    ) -> Result<ScoreOutput, String> {
        compare_run_of(rules, table, as_of, outages, None)
    }

    /// One run over the store's signals (their parties feed sampling), by both.
    pub fn compare_signals(
        rules: &ScoringRules,
        signals: &[crate::model::Signal],
        as_of: NaiveDate,
    ) -> Result<ScoreOutput, String> {
        let table = crate::store::signals::to_table(signals);
        compare_run_of(rules, &table, as_of, &[], Some(signals))
    }

    fn compare_run_of(
        rules: &ScoringRules,
        table: &SignalColumns,
        as_of: NaiveDate,
        outages: &[Outage],
        source: Option<&[crate::model::Signal]>,
    ) -> Result<ScoreOutput, String> {
        let p = crate::score::aggregate::Periods::new(&rules.window, as_of);
        let old = prepare(
            to_polars(table).lazy(),
            rules,
            as_of,
            as_of,
            p.window_start,
            outages,
        )
        .map_err(|e| e.to_string())?;
        let t = load(SignalSource::from_table(table.clone(), "test")).map_err(|e| e.to_string())?;
        let mut new = table::prepare(&t, rules, as_of, as_of, p.window_start, outages)
            .map_err(|e| e.to_string())?;
        new.read_windows(&t, p.window_start, as_of)
            .map_err(|e| e.to_string())?;
        same_prepared(&old, &new, (p.window_start, as_of))
            .map_err(|e| format!("as of {as_of}: {e}"))?;
        let sampled = std::collections::HashSet::new();
        let run = Run {
            as_of,
            sampled: &sampled,
            test_items: &items,
            previous: &[],
            inspections: &[],
            source,
            dismissed: true,
            outages,
        };
        // The old aggregation scored cell by cell; the new one as a run scores, reading back
        // only the rows of the cells its plan names.
        let a = score_prepared(rules, &old, &run);
        let b = score_loaded(rules, &t, &run).map_err(|e| e.to_string())?;
        same_output(&a, &b, &format!("as of {as_of}"))?;
        Ok(b)
    }

    /// A replay from `from` to `to` by both.
    pub fn compare_replay(
        rules: &ScoringRules,
        table: &SignalColumns,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        outages: &[Outage],
    ) -> Result<Replay, String> {
        let e = |e: ScoreError| e.to_string();
        let days = crate::score::day_range(table);
        let frame = to_polars(table);
        let old = replay_prepared(rules, from, to, &items, outages, days, |a, b, c| {
            prepare(frame.clone().lazy(), rules, a, b, c, outages)
                .map_err(|e| ScoreError::Reference(e.to_string()))
        })
        .map_err(e)?;
        let t = load(SignalSource::from_table(table.clone(), "test")).map_err(e)?;
        if t.days() != days {
            return Err(format!("days {:?} vs {days:?}", t.days()));
        }
        let new = crate::score::replay_table(rules, &t, from, to, &items, outages).map_err(e)?;
        same_replay(&old, &new, "replay")?;
        Ok(new)
    }

    /// The planned replay ([`crate::score::replay_table`]: plan on counts, rows of the planned
    /// cells only, planned categories only) against every category scored every day over the
    /// same aggregation with every row read back.
    pub fn compare_planned_replay(
        rules: &ScoringRules,
        table: &SignalColumns,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        outages: &[Outage],
    ) -> Result<Replay, String> {
        let e = |e: ScoreError| e.to_string();
        let t = load(SignalSource::from_table(table.clone(), "test")).map_err(e)?;
        let full = replay_prepared(rules, from, to, &items, outages, t.days(), |a, b, c| {
            let mut prep = table::prepare(&t, rules, a, b, c, outages)?;
            prep.read_windows(&t, c, b)?;
            Ok(prep)
        })
        .map_err(e)?;
        let planned =
            crate::score::replay_table(rules, &t, from, to, &items, outages).map_err(e)?;
        same_replay(&full, &planned, "planned replay")?;
        Ok(planned)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Days;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::compare::*;
    use super::*;
    use crate::score::sim;

    fn frame(g: sim::Gen) -> DataFrame {
        to_polars(&g.table())
    }

    /// The simulated year with outbreaks and disturbances (festivals, coverage) the comparisons
    /// run on.
    fn disturbed_year() -> sim::Gen {
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let rates = sim::rates(&mut rng);
        let injected = sim::outbreaks_between(&mut rng, 1.2, 4.0);
        let dist = sim::Disturbances::year(&mut ChaCha8Rng::seed_from_u64(23));
        sim::generate_disturbed(&mut ChaCha8Rng::seed_from_u64(7), &rates, &injected, &dist)
    }

    /// Ten days of the first source's outage, in the middle of the year.
    fn stale_source() -> Outage {
        Outage {
            source: Some(sim::SOURCES[0].0.to_string()),
            channel: None,
            from: sim::day0() + Days::new(150),
            to: sim::day0() + Days::new(159),
            reason: "stale".into(),
        }
    }

    /// The generated rows of these categories.
    fn kept(g: sim::Gen, keep: &[&str]) -> SignalColumns {
        let t = g.table();
        let mask: Vec<bool> = t
            .category
            .iter()
            .map(|c| c.is_some_and(|c| keep.contains(&c)))
            .collect();
        t.filter(&mask)
    }

    /// Some categories of the simulated year with outbreaks (the full year takes minutes in a
    /// debug build): runs on several days, with and without outages, and a replay of a season.
    #[test]
    fn the_new_aggregation_gives_the_old_ones_alerts_on_the_simulated_year() {
        let rules = ScoringRules::load(None).unwrap();
        let g = disturbed_year();
        let keep: Vec<&str> = sim::CATEGORIES.iter().step_by(5).map(|c| c.0).collect();
        let df = kept(g, &keep);
        assert!(df.len() > 100_000, "{} rows", df.len());
        let outages = [stale_source()];
        let mut alerts = 0;
        for d in [40u64, 120, 155, 170, 250, 364] {
            let as_of = sim::day0() + Days::new(d);
            for o in [&[][..], &outages[..]] {
                let out = compare_run(&rules, &df, as_of, o).unwrap();
                alerts += out.alerts.len() + out.dismissed.len();
            }
        }
        assert!(alerts > 10, "too few alerts to compare: {alerts}");
        let replay = compare_replay(
            &rules,
            &df,
            Some(sim::day0() + Days::new(140)),
            Some(sim::day0() + Days::new(200)),
            &outages,
        )
        .unwrap();
        assert!(replay.changes.len() > 5, "{} changes", replay.changes.len());
    }

    /// The comparison itself: a weight changed in one row is a different table.
    #[test]
    fn the_comparison_sees_one_changed_weight() {
        let rules = ScoringRules::load(None).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let rates: Vec<Vec<f64>> = sim::rates(&mut rng).into_iter().take(2).collect();
        let g = sim::generate_disturbed(&mut rng, &rates, &[], &sim::Disturbances::default());
        let df = frame(g);
        let as_of = sim::day0() + Days::new(100);
        let p = crate::score::aggregate::Periods::new(&rules.window, as_of);
        let prep = |df: &DataFrame| {
            prepare(df.clone().lazy(), &rules, as_of, as_of, p.window_start, &[]).unwrap()
        };
        let day = crate::store::signals::epoch_days(as_of - Days::new(3));
        let changed = df
            .clone()
            .lazy()
            .with_row_index("i", None)
            .with_column(
                when(
                    col("i").eq(col("i")
                        .filter(col("day").cast(DataType::Int32).eq(lit(day)))
                        .first()),
                )
                .then(lit(0.01f32))
                .otherwise(col("weight"))
                .alias("weight"),
            )
            .select(
                crate::store::signals::COLUMNS
                    .iter()
                    .map(|c| col(*c))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .unwrap();
        let err = same_prepared(&prep(&df), &prep(&changed), (p.window_start, as_of)).unwrap_err();
        assert!(
            err.contains("weights differ") || err.contains("rows"),
            "{err}"
        );
        assert!(same_prepared(&prep(&df), &prep(&df), (p.window_start, as_of)).is_ok());
    }

    /// The planned replay skips categories and reads back a few rows: on the disturbed simulated
    /// year (outbreaks, festivals, an outage) it must give every change of scoring every category
    /// every day.
    #[test]
    fn the_planned_replay_gives_every_change_of_the_full_one() {
        let rules = ScoringRules::load(None).unwrap();
        let g = disturbed_year();
        let keep: Vec<&str> = sim::CATEGORIES
            .iter()
            .skip(2)
            .step_by(3)
            .map(|c| c.0)
            .collect();
        let df = kept(g, &keep);
        let outages = [stale_source()];
        let replay = compare_planned_replay(
            &rules,
            &df,
            Some(sim::day0() + Days::new(100)),
            Some(sim::day0() + Days::new(220)),
            &outages,
        )
        .unwrap();
        let kinds: std::collections::HashSet<_> = replay.changes.iter().map(|c| c.change).collect();
        assert!(
            replay.changes.len() > 20 && kinds.len() >= 3,
            "{} changes of {} kinds",
            replay.changes.len(),
            kinds.len()
        );
        // A replay before any baseline, and one of a single day, agree too.
        compare_planned_replay(
            &rules,
            &df,
            Some(sim::day0() + Days::new(1)),
            Some(sim::day0() + Days::new(3)),
            &[],
        )
        .unwrap();
        compare_planned_replay(
            &rules,
            &df,
            Some(sim::day0() + Days::new(364)),
            Some(sim::day0() + Days::new(364)),
            &[],
        )
        .unwrap();
    }
}
