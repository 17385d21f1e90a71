//! Reports: signal counts, distinct clusters, weighted scores and alert history per period and
//! group, from the signal partitions (`signals/day=….parquet`, polars) and the store's alert
//! history. Used by `jiance report` and by scheduled `report` jobs.
//!
//! Data flows signals/ + state.sqlite → one DataFrame → CSV, Parquet (plain types: `period` is a
//! Date, groups are strings, counts Int64, score Float64 — it opens in pandas, duckdb and polars
//! as is) or an aligned text table.
//!
//! Columns: `period` (the day; for weeks the ISO week's Monday; for months the first day), the
//! group columns in the order asked, `signals` (rows), `clusters` (distinct near-duplicate
//! clusters; a signal without one is its own), `score` (Σ over the group's clusters of the largest
//! source weight × channel weight among the cluster's signals, so a reposted story counts once, as
//! the scorer counts it), `alerts_new` and `alerts_escalated` (alert changes recorded in the
//! period, by the Beijing day of the scoring run). Alerts are keyed by category and region, so the
//! alert columns are filled when the report groups by `category` and/or `province` only (a
//! systemic alert counts under `全国`); grouped by anything else they are empty (null).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use polars::prelude::*;

use crate::config::{ConfigError, Every, GROUP_KEYS, Job, ReportFormat};
use crate::model::{Scope, alert_id, china_day};
use crate::score::ChannelWeights;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot group by {0:?}: choose from {keys}", keys = GROUP_KEYS.join(", "))]
    BadGroup(String),
    #[error("--by needs at least one column ({})", GROUP_KEYS.join(", "))]
    NoGroup,
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
    #[error("signals: {0}")]
    Signals(String),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<ConfigError>),
    #[error("not a report job")]
    NotReport,
}

/// Parse `category,province` into validated, de-duplicated group columns.
pub fn parse_by(s: &str) -> Result<Vec<String>, ReportError> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !GROUP_KEYS.contains(&part) {
            return Err(ReportError::BadGroup(part.to_string()));
        }
        if !out.iter().any(|o| o == part) {
            out.push(part.to_string());
        }
    }
    if out.is_empty() {
        return Err(ReportError::NoGroup);
    }
    Ok(out)
}

/// First day of the period holding `day`.
pub fn period_start(every: Every, day: NaiveDate) -> NaiveDate {
    match every {
        Every::Day => day,
        Every::Week => {
            day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
        }
        Every::Month => day.with_day(1).unwrap_or(day),
    }
}

/// First day of the period after the one starting at `start`.
fn next_period(every: Every, start: NaiveDate) -> NaiveDate {
    match every {
        Every::Day => start + chrono::Duration::days(1),
        Every::Week => start + chrono::Duration::days(7),
        Every::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start + chrono::Duration::days(31)),
    }
}

/// The last `n` complete periods before the one holding `today`: (first day, last day, start of
/// the last period — its label).
pub fn last_complete_periods(
    every: Every,
    today: NaiveDate,
    n: u32,
) -> (NaiveDate, NaiveDate, NaiveDate) {
    let current = period_start(every, today);
    let until = current - chrono::Duration::days(1);
    let last = period_start(every, until);
    let mut from = last;
    for _ in 1..n.max(1) {
        // A huge `n` (from the command line or a config) stops at the calendar's first period.
        let Some(before) = from.pred_opt() else {
            break;
        };
        from = period_start(every, before);
    }
    debug_assert!(next_period(every, last) == current);
    (from, until, last)
}

/// What to report.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    pub by: Vec<String>,
    pub every: Every,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl ReportSpec {
    /// Whether alerts can be attributed to the groups (they carry category and region only).
    pub fn alerts_attributable(&self) -> bool {
        self.by.iter().all(|b| b == "category" || b == "province")
    }

    fn keys(&self) -> Vec<Expr> {
        std::iter::once(col("period"))
            .chain(self.by.iter().map(|b| col(b.as_str())))
            .collect()
    }
}

/// A non-negative float rounded to six decimals (without polars' `round_series` feature).
fn round6(e: Expr) -> Expr {
    ((e * lit(1e6) + lit(0.5))
        .cast(DataType::Int64)
        .cast(DataType::Float64))
        / lit(1e6)
}

fn period_expr(every: Every) -> Expr {
    match every {
        Every::Day => col("day"),
        // polars truncates weeks to their Monday (ISO weeks) and months to their first day.
        Every::Week => col("day").dt().truncate(lit("1w")),
        Every::Month => col("day").dt().truncate(lit("1mo")),
    }
    .alias("period")
}

/// Signals, clusters and weighted score per period and group, over a signal table (the columns
/// of `store::signals`).
pub fn signal_summary(
    signals: LazyFrame,
    spec: &ReportSpec,
    weights: &ChannelWeights,
) -> Result<LazyFrame, ReportError> {
    let mut lf = signals;
    if let Some(f) = spec.from {
        lf = lf.filter(col("day").gt_eq(lit(f)));
    }
    if let Some(u) = spec.until {
        lf = lf.filter(col("day").lt_eq(lit(u)));
    }
    let channel = |name: &str| col("source_kind").eq(lit(name.to_string()));
    let channel_weight = when(channel("complaint"))
        .then(lit(weights.complaint))
        .when(channel("regulator"))
        .then(lit(weights.regulator))
        .when(channel("platform"))
        .then(lit(weights.platform))
        .when(channel("media"))
        .then(lit(weights.media))
        .when(channel("standard"))
        .then(lit(weights.standard))
        .otherwise(lit(0.0));
    // Source weights are Float32 in the table: 0.8f32 is 0.800000011920929 as f64. Rounded to
    // six decimals the sums read as the weights were written.
    let w = round6(col("weight").cast(DataType::Float64));
    // A bad source weight counts as zero, as in the scorer.
    let source_weight = when(w.clone().is_finite().and(w.clone().gt(lit(0.0))))
        .then(w)
        .otherwise(lit(0.0));
    let cluster = when(col("cluster").is_null().or(col("cluster").eq(lit(""))))
        .then(col("doc"))
        .otherwise(col("cluster"))
        .alias("cluster_key");
    let mut per_cluster_keys = spec.keys();
    per_cluster_keys.push(col("cluster_key"));
    let lf = lf
        .with_columns([
            period_expr(spec.every),
            (source_weight * channel_weight).alias("w"),
            cluster,
        ])
        .group_by(per_cluster_keys)
        .agg([len().alias("n"), col("w").max().alias("w")])
        .group_by(spec.keys())
        .agg([
            col("n").sum().cast(DataType::Int64).alias("signals"),
            len().cast(DataType::Int64).alias("clusters"),
            col("w").sum().cast(DataType::Float64).alias("score"),
        ]);
    Ok(lf)
}

/// One alert change that counts in reports.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub day: NaiveDate,
    /// `new` or `escalated`.
    pub change: String,
    /// `None` when the alert is gone and its id matches no known category and region.
    pub category: Option<String>,
    pub region: Option<String>,
}

/// The `new` and `escalated` changes of the store's alert history, with each alert's category and
/// region: from the current alerts, or — for an alert closed since — by matching its id against
/// `categories` × (`provinces` ∪ `全国`) (alert ids are derived from category, scope and region).
pub fn alert_events(
    store: &Store,
    categories: &[String],
    provinces: &[String],
) -> Result<Vec<AlertEvent>, ReportError> {
    let mut known: HashMap<String, (String, String)> = HashMap::new();
    for c in categories {
        known.insert(
            alert_id(c, Scope::Systemic, "全国"),
            (c.clone(), "全国".to_string()),
        );
        for p in provinces {
            known.insert(alert_id(c, Scope::Regional, p), (c.clone(), p.clone()));
        }
    }
    for a in store.alerts()? {
        let region = match a.scope {
            Scope::Systemic => "全国".to_string(),
            Scope::Regional => a.regions.first().cloned().unwrap_or_else(|| "全国".into()),
        };
        known.insert(a.id.clone(), (a.category.clone(), region));
    }
    let mut events = Vec::new();
    let mut seq = 0i64;
    loop {
        let batch = store.changes_since(seq, 10_000)?;
        let Some(last) = batch.last() else { break };
        seq = last.seq;
        for c in batch {
            if c.change != "new" && c.change != "escalated" {
                continue;
            }
            let (category, region) = match known.get(&c.alert_id) {
                Some((cat, reg)) => (Some(cat.clone()), Some(reg.clone())),
                None => (None, None),
            };
            events.push(AlertEvent {
                day: china_day(c.at),
                change: c.change,
                category,
                region,
            });
        }
    }
    Ok(events)
}

fn date_series(name: &str, days: &[NaiveDate]) -> Result<Column, ReportError> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let v: Vec<i32> = days
        .iter()
        .map(|d| (*d - epoch).num_days() as i32)
        .collect();
    Ok(Series::new(name.into(), v)
        .cast(&DataType::Date)?
        .into_column())
}

/// Alert changes per period and group (the `by` columns must be attributable).
pub fn alert_summary(events: &[AlertEvent], spec: &ReportSpec) -> Result<LazyFrame, ReportError> {
    let in_range =
        |d: &NaiveDate| spec.from.is_none_or(|f| *d >= f) && spec.until.is_none_or(|u| *d <= u);
    let rows: Vec<&AlertEvent> = events.iter().filter(|e| in_range(&e.day)).collect();
    let periods: Vec<NaiveDate> = rows
        .iter()
        .map(|e| period_start(spec.every, e.day))
        .collect();
    let mut cols = vec![date_series("period", &periods)?];
    for b in &spec.by {
        let v: Vec<Option<String>> = rows
            .iter()
            .map(|e| match b.as_str() {
                "category" => e.category.clone(),
                _ => e.region.clone(),
            })
            .collect();
        cols.push(Series::new(b.as_str().into(), v).into_column());
    }
    let new: Vec<i64> = rows.iter().map(|e| i64::from(e.change == "new")).collect();
    let esc: Vec<i64> = rows
        .iter()
        .map(|e| i64::from(e.change == "escalated"))
        .collect();
    cols.push(Series::new("alerts_new".into(), new).into_column());
    cols.push(Series::new("alerts_escalated".into(), esc).into_column());
    let df = DataFrame::new_infer_height(cols)?;
    Ok(df.lazy().group_by(spec.keys()).agg([
        col("alerts_new").sum().cast(DataType::Int64),
        col("alerts_escalated").sum().cast(DataType::Int64),
    ]))
}

/// The report: signal summary and alert summary side by side, sorted by period then groups.
pub fn combine(
    signals: LazyFrame,
    alerts: Option<LazyFrame>,
    spec: &ReportSpec,
) -> Result<DataFrame, ReportError> {
    let null_i64 = || lit(NULL).cast(DataType::Int64);
    let mut order: Vec<PlSmallStr> = vec!["period".into()];
    order.extend(spec.by.iter().map(|b| PlSmallStr::from(b.as_str())));
    let lf = match alerts {
        Some(a) => {
            let zero = || lit(0i64).cast(DataType::Int64);
            let s = signals
                .with_columns([zero().alias("alerts_new"), zero().alias("alerts_escalated")]);
            let a = a.with_columns([
                zero().alias("signals"),
                zero().alias("clusters"),
                lit(0.0f64).cast(DataType::Float64).alias("score"),
            ]);
            let mut select: Vec<Expr> = spec.keys();
            select.extend(
                [
                    "signals",
                    "clusters",
                    "score",
                    "alerts_new",
                    "alerts_escalated",
                ]
                .map(col),
            );
            concat(
                [s.select(select.clone()), a.select(select)],
                UnionArgs::default(),
            )?
            .group_by(spec.keys())
            .agg(
                [
                    "signals",
                    "clusters",
                    "score",
                    "alerts_new",
                    "alerts_escalated",
                ]
                .map(|c| col(c).sum()),
            )
        }
        None => signals.with_columns([
            null_i64().alias("alerts_new"),
            null_i64().alias("alerts_escalated"),
        ]),
    };
    let mut df = lf
        .sort(order, SortMultipleOptions::default().with_nulls_last(true))
        .collect()?;
    // Scores to six decimals, so 1.6 + 1.5 reads 3.1 in every output.
    let rounded = df
        .column("score")?
        .f64()?
        .apply_values(|v| (v * 1e6).round() / 1e6)
        .into_series()
        .with_name("score".into())
        .into_column();
    df.with_column(rounded)?;
    Ok(df)
}

/// Distinct non-null values of a string column.
fn distinct(lf: LazyFrame, column: &str) -> Result<Vec<String>, ReportError> {
    let df = lf
        .select([col(column)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let s = df.column(column)?.str()?.clone();
    Ok(s.iter().flatten().map(str::to_string).collect())
}

/// Build the report of a data directory: `signals/` and `state.sqlite` (when present).
pub fn build(
    signals: LazyFrame,
    store: Option<&Store>,
    spec: &ReportSpec,
    weights: &ChannelWeights,
) -> Result<DataFrame, ReportError> {
    let summary = signal_summary(signals.clone(), spec, weights)?;
    let alerts = match store {
        Some(store) if spec.alerts_attributable() => {
            let categories = distinct(signals.clone(), "category")?;
            let provinces = distinct(signals, "province")?;
            Some(alert_summary(
                &alert_events(store, &categories, &provinces)?,
                spec,
            )?)
        }
        _ => None,
    };
    combine(summary, alerts, spec)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write the report as CSV or Parquet to `out`, or as a text table. A file is written to a
/// temporary name and renamed, so a reader never sees half a report.
pub fn write(
    df: &mut DataFrame,
    format: ReportFormat,
    out: Option<&Path>,
) -> Result<(), ReportError> {
    let Some(path) = out else {
        let mut stdout = std::io::stdout().lock();
        return write_to(df, format, &mut stdout);
    };
    // A report is a period table: small enough to render in memory, then written whole.
    let mut body = Vec::new();
    write_to(df, format, &mut body)?;
    crate::util::fsx::write_atomic(path, &body).map_err(io_err(path))
}

fn write_to(
    df: &mut DataFrame,
    format: ReportFormat,
    w: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    match format {
        ReportFormat::Csv => {
            CsvWriter::new(w).include_header(true).finish(df)?;
        }
        ReportFormat::Parquet => {
            ParquetWriter::new(w).finish(df)?;
        }
        ReportFormat::Table => {
            w.write_all(format_table(df)?.as_bytes())
                .map_err(|source| ReportError::Io {
                    path: "output".into(),
                    source,
                })?;
        }
    }
    Ok(())
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    let fill = " ".repeat(width.saturating_sub(w));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The report as aligned columns (CJK characters count double; numbers right-aligned).
pub fn format_table(df: &DataFrame) -> Result<String, ReportError> {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(df.height());
    let columns = df.columns();
    for i in 0..df.height() {
        let mut row = Vec::with_capacity(columns.len());
        for c in columns {
            let v = c.get(i)?;
            row.push(match v {
                AnyValue::Null => "–".to_string(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Float64(f) => format!("{f:.2}"),
                AnyValue::Float32(f) => format!("{f:.2}"),
                other => other.to_string(),
            });
        }
        cells.push(row);
    }
    let numeric: Vec<bool> = columns
        .iter()
        .map(|c| c.dtype().is_primitive_numeric())
        .collect();
    let mut widths: Vec<usize> = names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
        .collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(unicode_width::UnicodeWidthStr::width(c.as_str()));
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], numeric[i]))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&names, &mut out);
    line(
        &widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>(),
        &mut out,
    );
    for r in &cells {
        line(r, &mut out);
    }
    if cells.is_empty() {
        out.push_str("(no signals in the period)\n");
    }
    Ok(out)
}

/// `{period}` and `{date}` in a report path pattern.
pub fn fill_pattern(pattern: &str, period: NaiveDate, now: DateTime<Utc>) -> String {
    pattern
        .replace("{period}", &period.to_string())
        .replace("{date}", &china_day(now).to_string())
}

/// The signal table of a data directory's `signals/` (see `store::signals`).
pub fn scan_signals(dir: &Path) -> Result<LazyFrame, ReportError> {
    crate::store::signals::scan(dir).map_err(|e| ReportError::Signals(e.to_string()))
}

/// The report of a data directory, with the channel weights of `rules` (`scoring.toml`; the
/// built-in one when `None`).
pub fn report_data_dir(
    data: &Path,
    spec: &ReportSpec,
    rules: Option<&Path>,
) -> Result<DataFrame, ReportError> {
    let weights = crate::score::ScoringRules::load(rules)
        .map_err(ReportError::Rules)?
        .channel_weight;
    let signals = scan_signals(&data.join("signals"))?;
    let state = data.join("state.sqlite");
    let store = if state.exists() {
        Some(Store::open(&state)?)
    } else {
        None
    };
    build(signals, store.as_ref(), spec, &weights)
}

/// A scheduled `report` job: the last `periods` complete periods before `now` (Beijing days),
/// written to its `out` pattern. `data` and `rules` are the service's, used when the job names
/// no data directory.
pub fn run_scheduled(
    job: &Job,
    data: &Path,
    rules: Option<&Path>,
    now: DateTime<Utc>,
) -> Result<String, ReportError> {
    let Job::Report {
        data: job_data,
        by,
        every,
        format,
        out,
        periods,
    } = job
    else {
        return Err(ReportError::NotReport);
    };
    let (from, until, last) = last_complete_periods(*every, china_day(now), *periods);
    let spec = ReportSpec {
        by: by.clone(),
        every: *every,
        from: Some(from),
        until: Some(until),
    };
    let mut df = report_data_dir(job_data.as_deref().unwrap_or(data), &spec, rules)?;
    let path = fill_pattern(out, last, now);
    write(&mut df, *format, Some(Path::new(&path)))?;
    Ok(format!(
        "{} rows ({from} to {until}) written to {path}",
        df.height()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Alert, AlertStatus, Channel, DocKind, Signal};
    use crate::store::signals::write_partitions;
    use chrono::TimeZone;

    /// A Beijing wall-clock time as UTC.
    fn bj(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, mo, d, h, 30, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[allow(clippy::too_many_arguments)]
    fn sig(
        doc: &str,
        time: DateTime<Utc>,
        category: &str,
        province: Option<&str>,
        city: Option<&str>,
        channel: Channel,
        weight: f32,
        cluster: &str,
    ) -> Signal {
        Signal {
            doc_id: doc.into(),
            time,
            category: category.into(),
            hazard: "火灾".into(),
            severity: 3,
            province: province.map(String::from),
            city: city.map(String::from),
            source: format!("src-{}", channel.as_str()),
            channel,
            kind: DocKind::Complaint,
            weight,
            cluster: cluster.into(),
            parties: Default::default(),
        }
    }

    /// Known signals: two ISO weeks (2026-11-02 and 2026-11-09, both Mondays) and one in December.
    fn signals() -> Vec<Signal> {
        vec![
            // Week of 11-02, 电动自行车 / 浙江省: cluster c1 twice (complaint 1.0 → 1.0, media 2.0 →
            // 1.6: the cluster counts once with 1.6), cluster c2 once (regulator 1.0 → 1.5).
            sig(
                "d1",
                bj(2026, 11, 2, 9),
                "电动自行车",
                Some("浙江省"),
                Some("杭州市"),
                Channel::Complaint,
                1.0,
                "c1",
            ),
            sig(
                "d2",
                bj(2026, 11, 4, 9),
                "电动自行车",
                Some("浙江省"),
                Some("宁波市"),
                Channel::Media,
                2.0,
                "c1",
            ),
            // Sunday 23:30 Beijing (15:30 UTC): still the week of 11-02.
            sig(
                "d3",
                bj(2026, 11, 8, 23),
                "电动自行车",
                Some("浙江省"),
                Some("杭州市"),
                Channel::Regulator,
                1.0,
                "c2",
            ),
            // Monday 00:30 Beijing (Sunday 16:30 UTC): the week of 11-09; c1 counts again there.
            sig(
                "d4",
                bj(2026, 11, 9, 0),
                "电动自行车",
                Some("浙江省"),
                Some("杭州市"),
                Channel::Complaint,
                1.0,
                "c1",
            ),
            sig(
                "d5",
                bj(2026, 11, 5, 12),
                "移动电源",
                Some("广东省"),
                Some("深圳市"),
                Channel::Platform,
                1.0,
                "c3",
            ),
            // Unplaced.
            sig(
                "d6",
                bj(2026, 11, 6, 12),
                "儿童玩具",
                None,
                None,
                Channel::Complaint,
                1.0,
                "c4",
            ),
            sig(
                "d7",
                bj(2026, 12, 1, 12),
                "移动电源",
                Some("广东省"),
                Some("广州市"),
                Channel::Complaint,
                1.0,
                "c5",
            ),
        ]
    }

    fn weights() -> ChannelWeights {
        crate::score::ScoringRules::load(None)
            .unwrap()
            .channel_weight
    }

    fn table_of(dir: &Path, spec: &ReportSpec, store: Option<&Store>) -> DataFrame {
        let lf = scan_signals(&dir.join("signals")).unwrap();
        build(lf, store, spec, &weights()).unwrap()
    }

    fn data_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write_partitions(&dir.path().join("signals"), &signals()).unwrap();
        dir
    }

    fn spec(by: &str, every: Every) -> ReportSpec {
        ReportSpec {
            by: parse_by(by).unwrap(),
            every,
            from: None,
            until: None,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Rows as (period, group values joined by '/', signals, clusters, score).
    fn rows(df: &DataFrame, by: usize) -> Vec<(NaiveDate, String, i64, i64, f64)> {
        let period = df.column("period").unwrap().date().unwrap().clone();
        let epoch = d(1970, 1, 1);
        (0..df.height())
            .map(|i| {
                let p =
                    epoch + chrono::Duration::days(i64::from(period.physical().get(i).unwrap()));
                let groups: Vec<String> = df.columns()[1..=by]
                    .iter()
                    .map(|c| match c.get(i).unwrap() {
                        AnyValue::Null => "∅".to_string(),
                        v => v.str_value().to_string(),
                    })
                    .collect();
                let int = |n: &str| df.column(n).unwrap().i64().unwrap().get(i).unwrap();
                let score = df.column("score").unwrap().f64().unwrap().get(i).unwrap();
                (
                    p,
                    groups.join("/"),
                    int("signals"),
                    int("clusters"),
                    (score * 1000.0).round() / 1000.0,
                )
            })
            .collect()
    }

    #[test]
    fn weekly_counts_count_clusters_once_with_their_largest_weight() {
        let dir = data_dir();
        let df = table_of(dir.path(), &spec("category,province", Every::Week), None);
        assert_eq!(
            df.get_column_names()
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>(),
            [
                "period",
                "category",
                "province",
                "signals",
                "clusters",
                "score",
                "alerts_new",
                "alerts_escalated"
            ]
        );
        assert_eq!(
            rows(&df, 2),
            [
                (d(2026, 11, 2), "儿童玩具/∅".into(), 1, 1, 1.0),
                (d(2026, 11, 2), "电动自行车/浙江省".into(), 3, 2, 3.1),
                (d(2026, 11, 2), "移动电源/广东省".into(), 1, 1, 0.8),
                (d(2026, 11, 9), "电动自行车/浙江省".into(), 1, 1, 1.0),
                (d(2026, 11, 30), "移动电源/广东省".into(), 1, 1, 1.0),
            ]
        );
        // No store: the alert columns are empty, not zero.
        assert_eq!(df.column("alerts_new").unwrap().null_count(), df.height());
    }

    #[test]
    fn months_days_and_a_date_range() {
        let dir = data_dir();
        let by_month = rows(
            &table_of(dir.path(), &spec("category", Every::Month), None),
            1,
        );
        assert_eq!(
            by_month,
            [
                (d(2026, 11, 1), "儿童玩具".into(), 1, 1, 1.0),
                (d(2026, 11, 1), "电动自行车".into(), 4, 2, 3.1),
                (d(2026, 11, 1), "移动电源".into(), 1, 1, 0.8),
                (d(2026, 12, 1), "移动电源".into(), 1, 1, 1.0),
            ]
        );
        let mut s = spec("city", Every::Day);
        s.from = Some(d(2026, 11, 8));
        s.until = Some(d(2026, 11, 9));
        assert_eq!(
            rows(&table_of(dir.path(), &s, None), 1),
            [
                (d(2026, 11, 8), "杭州市".into(), 1, 1, 1.5),
                (d(2026, 11, 9), "杭州市".into(), 1, 1, 1.0),
            ]
        );
        let by_channel = rows(
            &table_of(dir.path(), &spec("source_kind", Every::Month), None),
            1,
        );
        assert_eq!(
            by_channel[0],
            (d(2026, 11, 1), "complaint".into(), 3, 2, 2.0)
        );
    }

    #[test]
    fn bad_group_names_are_refused_clearly() {
        let e = parse_by("category,shop").unwrap_err().to_string();
        assert!(e.contains("\"shop\"") && e.contains("source_kind"), "{e}");
        assert!(matches!(parse_by(" , "), Err(ReportError::NoGroup)));
        assert_eq!(
            parse_by("province, category,province").unwrap(),
            ["province", "category"]
        );
    }

    #[test]
    fn complete_periods_before_today() {
        // Sunday 2026-11-22: the last complete week is 11-09 … 11-15.
        let today = d(2026, 11, 22);
        assert_eq!(
            last_complete_periods(Every::Week, today, 1),
            (d(2026, 11, 9), d(2026, 11, 15), d(2026, 11, 9))
        );
        // On Monday 11-23 it is 11-16 … 11-22.
        assert_eq!(
            last_complete_periods(Every::Week, d(2026, 11, 23), 2),
            (d(2026, 11, 9), d(2026, 11, 22), d(2026, 11, 16))
        );
        assert_eq!(
            last_complete_periods(Every::Month, d(2026, 3, 1), 2),
            (d(2026, 1, 1), d(2026, 2, 28), d(2026, 2, 1))
        );
        // Any count is an answer, not a date underflow: it stops at the calendar's start.
        let (from, until, _) = last_complete_periods(Every::Month, today, u32::MAX);
        assert!(
            from < d(-200_000, 1, 1) && until == d(2026, 10, 31),
            "{from}"
        );
        assert_eq!(
            last_complete_periods(Every::Day, today, 1),
            (d(2026, 11, 21), d(2026, 11, 21), d(2026, 11, 21))
        );
        assert_eq!(period_start(Every::Week, d(2027, 1, 1)), d(2026, 12, 28));
    }

    #[test]
    fn csv_and_parquet_read_back_with_plain_types() {
        let dir = data_dir();
        let mut df = table_of(dir.path(), &spec("category,province", Every::Week), None);
        let pq = dir.path().join("out/r.parquet");
        let csv = dir.path().join("out/r.csv");
        write(&mut df, ReportFormat::Parquet, Some(&pq)).unwrap();
        write(&mut df, ReportFormat::Csv, Some(&csv)).unwrap();
        let back = ParquetReader::new(std::fs::File::open(&pq).unwrap())
            .finish()
            .unwrap();
        assert_eq!(back.column("period").unwrap().dtype(), &DataType::Date);
        assert_eq!(back.column("signals").unwrap().dtype(), &DataType::Int64);
        assert_eq!(back.column("score").unwrap().dtype(), &DataType::Float64);
        assert!(back.equals_missing(&df), "{back}\n{df}");
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("period,category,province,signals,clusters,score,alerts_new,alerts_escalated")
        );
        assert_eq!(lines.nth(1), Some("2026-11-02,电动自行车,浙江省,3,2,3.1,,"));
        let csv_back = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(csv.clone()))
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(csv_back.height(), df.height());
        // No temp file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn the_table_aligns_chinese_text() {
        let dir = data_dir();
        let df = table_of(dir.path(), &spec("category,province", Every::Week), None);
        let text = format_table(&df).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + df.height());
        // The 4th column (`signals`, right-aligned) ends at the same display column on every
        // line, whatever the width of the Chinese text before it.
        let end_of_fourth = |l: &str| {
            let mut tokens = 0;
            let mut in_token = false;
            for (i, c) in l.char_indices() {
                if c.is_whitespace() {
                    if in_token && tokens == 4 {
                        return unicode_width::UnicodeWidthStr::width(&l[..i]);
                    }
                    in_token = false;
                } else if !in_token {
                    in_token = true;
                    tokens += 1;
                }
            }
            unicode_width::UnicodeWidthStr::width(l)
        };
        let header_end = end_of_fourth(lines[0]);
        assert_eq!(
            header_end,
            "period      category    province  signals".len()
        );
        for l in &lines[2..] {
            assert_eq!(end_of_fourth(l), header_end, "{text}");
        }
        assert!(text.contains("电动自行车") && text.contains("–"));
    }

    fn alert(category: &str, province: &str, level: u8) -> Alert {
        Alert {
            id: alert_id(category, Scope::Regional, province),
            category: category.into(),
            hazards: vec!["火灾".into()],
            scope: Scope::Regional,
            regions: vec![province.into()],
            level,
            action: Action::Notify,
            score: f64::from(level),
            breakdown: vec![],
            evidence: vec!["d1".into()],
            first_seen: d(2026, 11, 2),
            updated: d(2026, 11, 2),
            status: AlertStatus::New,
            summary: format!("{province}{category}投诉增多"),
        }
    }

    #[test]
    fn alert_history_counts_new_and_escalated_even_after_an_alert_closed() {
        let dir = data_dir();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        store
            .put_alerts(&[alert("电动自行车", "浙江省", 2)], &[])
            .unwrap();
        store
            .put_alerts(&[alert("电动自行车", "浙江省", 3)], &[])
            .unwrap();
        store
            .put_alerts(&[alert("移动电源", "广东省", 2)], &[])
            .unwrap();
        // 电动自行车 / 浙江省 is closed now (gone from the alerts table).
        let df = report_data_dir(dir.path(), &spec("category,province", Every::Day), None).unwrap();
        let today = china_day(Utc::now());
        let period = df.column("period").unwrap().date().unwrap().clone();
        let epoch = d(1970, 1, 1);
        let mut found = Vec::new();
        for i in 0..df.height() {
            let p = epoch + chrono::Duration::days(i64::from(period.physical().get(i).unwrap()));
            if p != today {
                continue;
            }
            let s = |c: &str| {
                df.column(c)
                    .unwrap()
                    .str()
                    .unwrap()
                    .get(i)
                    .unwrap()
                    .to_string()
            };
            let n = |c: &str| df.column(c).unwrap().i64().unwrap().get(i).unwrap();
            found.push((
                s("category"),
                s("province"),
                n("alerts_new"),
                n("alerts_escalated"),
                n("signals"),
            ));
        }
        found.sort();
        assert_eq!(
            found,
            [
                ("电动自行车".to_string(), "浙江省".to_string(), 1, 1, 0),
                ("移动电源".to_string(), "广东省".to_string(), 1, 0, 0),
            ]
        );
        // Grouped by city, alerts cannot be attributed: the columns are empty.
        let by_city = report_data_dir(dir.path(), &spec("city", Every::Week), None).unwrap();
        assert_eq!(
            by_city.column("alerts_new").unwrap().null_count(),
            by_city.height()
        );
    }

    #[test]
    fn a_scheduled_report_writes_its_last_period_to_its_pattern() {
        let dir = data_dir();
        let job = Job::Report {
            data: None,
            by: vec!["category".into()],
            every: Every::Week,
            format: ReportFormat::Csv,
            out: dir
                .path()
                .join("reports/week-{period}.csv")
                .display()
                .to_string(),
            periods: 1,
        };
        // Run on Wednesday 2026-11-11: the last complete week is that of 11-02.
        let now = bj(2026, 11, 11, 7);
        let summary = run_scheduled(&job, dir.path(), None, now).unwrap();
        let path = dir.path().join("reports/week-2026-11-02.csv");
        assert!(summary.contains("week-2026-11-02.csv"), "{summary}");
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(text.lines().count(), 1 + 3, "{text}");
        assert!(!text.contains("2026-11-09"), "{text}");
    }
}
