//! Reports: signal counts, distinct clusters, weighted scores and alert history per period and
//! group, from the signal partitions (`signals/day=….parquet`, read piece by piece through
//! `store::signal_read`) and the store's alert history. Used by `jiance report` and by scheduled
//! `report` jobs.
//!
//! Data flows signals/ + state.sqlite → per-cluster counts in hash maps, one partition at a time
//! (only the columns the report needs are decoded) → a [`Report`], its rows sorted by period, then
//! by the group columns (null last) → CSV, Parquet (plain types: `period` is a Date, groups are
//! strings, counts Int64, score Float64 — it opens in pandas, duckdb and polars as is) or an
//! aligned text table (`output.rs`).
//!
//! Columns: `period` (the day; for weeks the ISO week's Monday; for months the first day), the
//! group columns in the order asked, `signals` (rows), `clusters` (distinct near-duplicate
//! clusters; a signal without one is its own), `score` (Σ over the group's clusters of the largest
//! source weight × channel weight among the cluster's signals, so a reposted story counts once, as
//! the scorer counts it; six decimals), `alerts_new` and `alerts_escalated` (alert changes
//! recorded in the period, by the Beijing day of the scoring run). Alerts are keyed by category
//! and region, so the alert columns are filled when the report groups by `category` and/or
//! `province` only (a systemic alert counts under `全国`); grouped by anything else they are empty
//! (null).

mod inspections;
mod output;
pub mod risk;
mod unclassified;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

pub use inspections::{
    InspectionReport, InspectionRow, build_inspections, format_inspections, inspections_data_dir,
    write_inspections,
};
pub use output::{format_products, format_table, write, write_products};
pub use unclassified::{ProductReport, ProductRow, build_unclassified};

use crate::config::{ConfigError, Every, GROUP_KEYS, Job};
use crate::model::{Channel, Scope, alert_id, china_day};
use crate::score::ChannelWeights;
use crate::store::Store;
use crate::store::columnar::{SignalColumns, StrCol};
use crate::store::signal_read::SignalSource;
use crate::store::signals::SignalTableError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot group by {0:?}: choose from {keys}", keys = GROUP_KEYS.join(", "))]
    BadGroup(String),
    #[error("--by needs at least one column ({})", GROUP_KEYS.join(", "))]
    NoGroup,
    #[error("signals: {0}")]
    Signals(#[from] SignalTableError),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot encode the report as Parquet: {0}")]
    Parquet(String),
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

    fn check(&self) -> Result<(), ReportError> {
        if self.by.is_empty() {
            return Err(ReportError::NoGroup);
        }
        match self.by.iter().find(|b| !GROUP_KEYS.contains(&b.as_str())) {
            Some(b) => Err(ReportError::BadGroup(b.clone())),
            None => Ok(()),
        }
    }
}

/// One row of a report (see the module doc for what each column means).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub period: NaiveDate,
    /// The group columns' values, in the order of [`ReportSpec::by`]; `None`: null (an unplaced
    /// signal's province, an alert whose category and region are unknown).
    pub groups: Vec<Option<String>>,
    pub signals: i64,
    pub clusters: i64,
    pub score: f64,
    /// `None` when alerts cannot be attributed to the groups or there is no store.
    pub alerts_new: Option<i64>,
    pub alerts_escalated: Option<i64>,
}

/// A report: its group columns and its rows, sorted by period, then groups (null last).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub by: Vec<String>,
    pub rows: Vec<ReportRow>,
}

impl Report {
    /// Column names, in output order.
    pub fn columns(&self) -> Vec<&str> {
        let mut c = vec!["period"];
        c.extend(self.by.iter().map(String::as_str));
        c.extend([
            "signals",
            "clusters",
            "score",
            "alerts_new",
            "alerts_escalated",
        ]);
        c
    }

    pub fn height(&self) -> usize {
        self.rows.len()
    }
}

/// A group value as reports sort them: values by their text (code point order), null last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum GroupValue {
    Value(String),
    Null,
}

impl GroupValue {
    fn of(v: Option<&str>) -> GroupValue {
        v.map_or(GroupValue::Null, |s| GroupValue::Value(s.to_string()))
    }

    fn into_option(self) -> Option<String> {
        match self {
            GroupValue::Value(s) => Some(s),
            GroupValue::Null => None,
        }
    }
}

/// A report row's key: period, then the group values in the order asked.
type GroupKey = (NaiveDate, Vec<GroupValue>);

/// Sums of one period and group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    signals: i64,
    clusters: i64,
    score: f64,
}

/// Strings numbered in order of first sight, so the per-cluster map keys on small integers.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, usize>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len();
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
}

/// The id of a null group value.
const NULL: usize = usize::MAX;

/// A source weight as the scorer takes it (non-finite or negative: zero), to six decimals:
/// weights are Float32 in the table, and 0.8f32 is 0.800000011920929 as f64 — rounded, the sums
/// read as the weights were written.
fn source_weight(w: f32) -> f64 {
    let w = f64::from(w);
    if w.is_finite() && w > 0.0 {
        (w * 1e6 + 0.5).floor() / 1e6
    } else {
        0.0
    }
}

/// Signals, clusters and weighted score per period and group, counted one piece of the signal
/// table at a time: each (period, group, cluster) keeps its signal count and largest weight.
pub struct SignalSummary {
    by: Vec<String>,
    every: Every,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    weights: ChannelWeights,
    /// Whether to collect the distinct categories and provinces (for alert attribution).
    distinct: bool,
    values: Vec<Interner>,
    tuples: HashMap<Vec<usize>, usize>,
    tuple_ids: Vec<Vec<usize>>,
    clusters: Interner,
    periods: HashMap<i32, Option<NaiveDate>>,
    per_cluster: HashMap<(NaiveDate, usize, usize), (i64, f64)>,
    categories: HashSet<String>,
    provinces: HashSet<String>,
    /// Rows whose day is not a calendar date.
    bad_days: usize,
}

impl SignalSummary {
    /// An empty summary; `distinct`: also collect every row's category and province (whatever
    /// its day), against which closed alerts' ids are matched. Refuses a group column that is
    /// not one of [`GROUP_KEYS`].
    pub fn new(
        spec: &ReportSpec,
        weights: &ChannelWeights,
        distinct: bool,
    ) -> Result<SignalSummary, ReportError> {
        spec.check()?;
        Ok(SignalSummary {
            by: spec.by.clone(),
            every: spec.every,
            from: spec.from,
            until: spec.until,
            weights: weights.clone(),
            distinct,
            values: spec.by.iter().map(|_| Interner::default()).collect(),
            tuples: HashMap::new(),
            tuple_ids: Vec::new(),
            clusters: Interner::default(),
            periods: HashMap::new(),
            per_cluster: HashMap::new(),
            categories: HashSet::new(),
            provinces: HashSet::new(),
            bad_days: 0,
        })
    }

    /// The columns [`SignalSummary::add`] reads.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut c = vec!["day", "source_kind", "weight", "cluster"];
        let by = GROUP_KEYS
            .iter()
            .filter(|k| self.by.iter().any(|b| b == *k));
        let extra = if self.distinct {
            &["category", "province"][..]
        } else {
            &[]
        };
        for k in by.chain(extra) {
            if !c.contains(k) {
                c.push(k);
            }
        }
        c
    }

    /// Count the valid rows of one piece (`columns()` read, empty clusters already the doc's).
    /// `name` names the piece in errors.
    pub fn add(&mut self, t: &SignalColumns, name: &str) -> Result<(), ReportError> {
        let rows = t.len();
        // `by` holds group keys only (checked by `new`), each a text column
        let groups: Vec<&StrCol> = self
            .by
            .iter()
            .map(|b| t.strings(b).ok_or_else(|| ReportError::BadGroup(b.clone())))
            .collect::<Result<_, _>>()?;
        let mut lengths = vec![
            ("day", t.day.len()),
            ("source_kind", t.source_kind.len()),
            ("weight", t.weight.len()),
            ("cluster", t.cluster.len()),
        ];
        lengths.extend(
            self.by
                .iter()
                .zip(&groups)
                .map(|(b, g)| (b.as_str(), g.len())),
        );
        if self.distinct {
            lengths.extend([
                ("category", t.category.len()),
                ("province", t.province.len()),
            ]);
        }
        if let Some((c, n)) = lengths.into_iter().find(|&(_, n)| n != rows) {
            return Err(ReportError::Signals(SignalTableError::Schema {
                path: name.to_string(),
                message: format!("column `{c}` holds {n} values for {rows} rows"),
            }));
        }
        let channel: Vec<(&str, f64)> = Channel::ALL
            .iter()
            .map(|&c| (c.as_str(), self.weights.get(c)))
            .collect();
        let mut tuple = Vec::with_capacity(groups.len());
        for i in 0..rows {
            if self.distinct {
                for (col, set) in [
                    (&t.category, &mut self.categories),
                    (&t.province, &mut self.provinces),
                ] {
                    if let Some(v) = col.get(i)
                        && !set.contains(v)
                    {
                        set.insert(v.to_string());
                    }
                }
            }
            let day = t.day[i];
            let (every, from, until) = (self.every, self.from, self.until);
            let period = *self.periods.entry(day).or_insert_with(|| {
                NaiveDate::from_epoch_days(day)
                    .filter(|d| from.is_none_or(|f| *d >= f) && until.is_none_or(|u| *d <= u))
                    .map(|d| period_start(every, d))
            });
            let Some(period) = period else {
                if NaiveDate::from_epoch_days(day).is_none() {
                    self.bad_days += 1;
                }
                continue;
            };
            tuple.clear();
            for (g, values) in groups.iter().zip(self.values.iter_mut()) {
                tuple.push(g.get(i).map_or(NULL, |v| values.id(v)));
            }
            let group = match self.tuples.get(tuple.as_slice()) {
                Some(&id) => id,
                None => {
                    let id = self.tuple_ids.len();
                    self.tuple_ids.push(tuple.clone());
                    self.tuples.insert(tuple.clone(), id);
                    id
                }
            };
            let cluster = self.clusters.id(t.cluster.str(i));
            let kind = t.source_kind.str(i);
            let channel_weight = channel
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(0.0, |&(_, w)| w);
            let w = source_weight(t.weight[i]) * channel_weight;
            let e = self
                .per_cluster
                .entry((period, group, cluster))
                .or_insert((0, w));
            e.0 += 1;
            e.1 = e.1.max(w);
        }
        Ok(())
    }

    /// Signals, clusters and score per period and group.
    fn counts(&self) -> BTreeMap<GroupKey, Counts> {
        let mut by_id: HashMap<(NaiveDate, usize), Counts> = HashMap::new();
        for (&(period, group, _), &(n, w)) in &self.per_cluster {
            let c = by_id.entry((period, group)).or_default();
            c.signals += n;
            c.clusters += 1;
            c.score += w;
        }
        by_id
            .into_iter()
            .map(|((period, group), c)| {
                let values = self.tuple_ids[group]
                    .iter()
                    .zip(&self.values)
                    .map(|(&id, names)| match id {
                        NULL => GroupValue::Null,
                        id => GroupValue::Value(names.names[id].clone()),
                    })
                    .collect();
                ((period, values), c)
            })
            .collect()
    }

    fn sorted(set: &HashSet<String>) -> Vec<String> {
        let mut v: Vec<String> = set.iter().cloned().collect();
        v.sort();
        v
    }
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

/// Alert changes (new, escalated) per period and group (the `by` columns must be attributable).
fn alert_summary(events: &[AlertEvent], spec: &ReportSpec) -> BTreeMap<GroupKey, (i64, i64)> {
    let in_range =
        |d: &NaiveDate| spec.from.is_none_or(|f| *d >= f) && spec.until.is_none_or(|u| *d <= u);
    let mut out: BTreeMap<GroupKey, (i64, i64)> = BTreeMap::new();
    for e in events.iter().filter(|e| in_range(&e.day)) {
        let groups = spec
            .by
            .iter()
            .map(|b| match b.as_str() {
                "category" => GroupValue::of(e.category.as_deref()),
                _ => GroupValue::of(e.region.as_deref()),
            })
            .collect();
        let c = out
            .entry((period_start(spec.every, e.day), groups))
            .or_default();
        c.0 += i64::from(e.change == "new");
        c.1 += i64::from(e.change == "escalated");
    }
    out
}

/// The report: signal counts and alert changes side by side (a group with only one of them has
/// zeros for the other; without alerts their columns are null), sorted by period then groups,
/// scores to six decimals (so 1.6 + 1.5 reads 3.1 in every output).
fn combine(
    signals: BTreeMap<GroupKey, Counts>,
    alerts: Option<BTreeMap<GroupKey, (i64, i64)>>,
    spec: &ReportSpec,
) -> Report {
    let filled = alerts.is_some();
    let mut all: BTreeMap<GroupKey, (Counts, (i64, i64))> =
        signals.into_iter().map(|(k, c)| (k, (c, (0, 0)))).collect();
    for (k, a) in alerts.into_iter().flatten() {
        all.entry(k).or_default().1 = a;
    }
    let rows = all
        .into_iter()
        .map(|((period, groups), (c, (new, escalated)))| ReportRow {
            period,
            groups: groups.into_iter().map(GroupValue::into_option).collect(),
            signals: c.signals,
            clusters: c.clusters,
            score: (c.score * 1e6).round() / 1e6,
            alerts_new: filled.then_some(new),
            alerts_escalated: filled.then_some(escalated),
        })
        .collect();
    Report {
        by: spec.by.clone(),
        rows,
    }
}

/// Build the report of a signal table and, when given, a store's alert history.
pub fn build(
    signals: &SignalSource,
    store: Option<&Store>,
    spec: &ReportSpec,
    weights: &ChannelWeights,
) -> Result<Report, ReportError> {
    let store = store.filter(|_| spec.alerts_attributable());
    let mut summary = SignalSummary::new(spec, weights, store.is_some())?;
    let columns = summary.columns();
    let mut skipped = 0usize;
    for i in 0..signals.pieces() {
        let (piece, n) = signals.read(i, &columns)?;
        skipped += n;
        summary.add(&piece, signals.name())?;
    }
    skipped += summary.bad_days;
    if skipped > 0 {
        tracing::warn!(
            "{}: {skipped} signal row(s) skipped: an empty time, day, category, hazard, source or \
             doc, a source_kind other than complaint / regulator / platform / media / standard, \
             a severity outside 1–4, or a day that is no date",
            signals.name()
        );
    }
    let alerts = match store {
        Some(store) => {
            let categories = SignalSummary::sorted(&summary.categories);
            let provinces = SignalSummary::sorted(&summary.provinces);
            Some(alert_summary(
                &alert_events(store, &categories, &provinces)?,
                spec,
            ))
        }
        None => None,
    };
    Ok(combine(summary.counts(), alerts, spec))
}

/// `{period}` and `{date}` in a report path pattern.
pub fn fill_pattern(pattern: &str, period: NaiveDate, now: DateTime<Utc>) -> String {
    pattern
        .replace("{period}", &period.to_string())
        .replace("{date}", &china_day(now).to_string())
}

/// The signal table of a data directory's `signals/` (see `store::signals`), to be read piece by
/// piece; why a directory holds no table is logged.
pub fn scan_signals(dir: &Path) -> Result<SignalSource, ReportError> {
    let source = SignalSource::open(dir)?;
    for bad in &source.bad {
        tracing::warn!("{bad}");
    }
    Ok(source)
}

/// The report of a data directory, with the channel weights of `rules` (`scoring.toml`; the
/// built-in one when `None`).
pub fn report_data_dir(
    data: &Path,
    spec: &ReportSpec,
    rules: Option<&Path>,
) -> Result<Report, ReportError> {
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
    build(&signals, store.as_ref(), spec, &weights)
}

/// The unclassified-products report of a data directory (see `unclassified`).
pub fn unclassified_data_dir(
    data: &Path,
    every: Every,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<ProductReport, ReportError> {
    build_unclassified(&scan_signals(&data.join("signals"))?, every, from, until)
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
        // as `--by`: checked, a column named twice reported once
        by: parse_by(&by.join(","))?,
        every: *every,
        from: Some(from),
        until: Some(until),
    };
    let report = report_data_dir(job_data.as_deref().unwrap_or(data), &spec, rules)?;
    let path = fill_pattern(out, last, now);
    write(&report, *format, Some(Path::new(&path)))?;
    Ok(format!(
        "{} rows ({from} to {until}) written to {path}",
        report.height()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ReportFormat;
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
            product: None,
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

    fn table_of(dir: &Path, spec: &ReportSpec, store: Option<&Store>) -> Report {
        let source = scan_signals(&dir.join("signals")).unwrap();
        build(&source, store, spec, &weights()).unwrap()
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
    fn rows(report: &Report) -> Vec<(NaiveDate, String, i64, i64, f64)> {
        report
            .rows
            .iter()
            .map(|r| {
                let groups: Vec<&str> = r
                    .groups
                    .iter()
                    .map(|g| g.as_deref().unwrap_or("∅"))
                    .collect();
                (
                    r.period,
                    groups.join("/"),
                    r.signals,
                    r.clusters,
                    (r.score * 1000.0).round() / 1000.0,
                )
            })
            .collect()
    }

    #[test]
    fn weekly_counts_count_clusters_once_with_their_largest_weight() {
        let dir = data_dir();
        let report = table_of(dir.path(), &spec("category,province", Every::Week), None);
        assert_eq!(
            report.columns(),
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
            rows(&report),
            [
                (d(2026, 11, 2), "儿童玩具/∅".into(), 1, 1, 1.0),
                (d(2026, 11, 2), "电动自行车/浙江省".into(), 3, 2, 3.1),
                (d(2026, 11, 2), "移动电源/广东省".into(), 1, 1, 0.8),
                (d(2026, 11, 9), "电动自行车/浙江省".into(), 1, 1, 1.0),
                (d(2026, 11, 30), "移动电源/广东省".into(), 1, 1, 1.0),
            ]
        );
        // Six decimals exactly: 1.6 + 1.5 is 3.1, not 3.1000000238….
        assert_eq!(report.rows[1].score, 3.1);
        // No store: the alert columns are empty, not zero.
        assert!(
            report
                .rows
                .iter()
                .all(|r| r.alerts_new.is_none() && r.alerts_escalated.is_none())
        );
    }

    #[test]
    fn months_days_and_a_date_range() {
        let dir = data_dir();
        let by_month = rows(&table_of(dir.path(), &spec("category", Every::Month), None));
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
            rows(&table_of(dir.path(), &s, None)),
            [
                (d(2026, 11, 8), "杭州市".into(), 1, 1, 1.5),
                (d(2026, 11, 9), "杭州市".into(), 1, 1, 1.0),
            ]
        );
        let by_channel = rows(&table_of(
            dir.path(),
            &spec("source_kind", Every::Month),
            None,
        ));
        assert_eq!(
            by_channel[0],
            (d(2026, 11, 1), "complaint".into(), 3, 2, 2.0)
        );
    }

    /// A piece of the signal table built by hand: (day, province, channel, weight, cluster).
    fn piece(rows: &[(NaiveDate, Option<&str>, &str, f32, &str)]) -> SignalColumns {
        let mut t = SignalColumns::with_rows(rows.len());
        t.day = rows.iter().map(|r| r.0.to_epoch_days()).collect();
        t.province = rows.iter().map(|r| r.1).collect();
        t.source_kind = rows.iter().map(|r| Some(r.2)).collect();
        t.weight = rows.iter().map(|r| r.3).collect();
        t.cluster = rows.iter().map(|r| Some(r.4)).collect();
        t
    }

    #[test]
    fn pieces_add_up_nulls_sort_last_and_bad_weights_count_nothing() {
        let s = spec("province", Every::Month);
        let mut summary = SignalSummary::new(&s, &weights(), false).unwrap();
        assert_eq!(
            summary.columns(),
            ["day", "source_kind", "weight", "cluster", "province"]
        );
        let nov = d(2026, 11, 3);
        summary
            .add(
                &piece(&[
                    (nov, None, "complaint", 1.0, "a"),
                    (nov, Some("浙江省"), "complaint", f32::NAN, "b"),
                    (nov, Some("浙江省"), "media", -3.0, "c"),
                ]),
                "p1",
            )
            .unwrap();
        // The same cluster in a second piece counts once, with its largest weight.
        summary
            .add(
                &piece(&[
                    (d(2026, 11, 30), Some("浙江省"), "complaint", 0.25, "b"),
                    (nov, Some("安徽省"), "complaint", f32::INFINITY, "d"),
                    (nov, Some("浙江省"), "complaint", 0.1, "b"),
                ]),
                "p2",
            )
            .unwrap();
        let report = combine(summary.counts(), None, &s);
        assert_eq!(
            rows(&report),
            [
                (d(2026, 11, 1), "安徽省".into(), 1, 1, 0.0),
                (d(2026, 11, 1), "浙江省".into(), 4, 2, 0.25),
                (d(2026, 11, 1), "∅".into(), 1, 1, 1.0),
            ]
        );
        // A piece missing a column the report reads is refused, naming it.
        let mut short = piece(&[(nov, None, "complaint", 1.0, "a")]);
        short.weight.clear();
        let e = summary.add(&short, "p3").unwrap_err().to_string();
        assert!(e.contains("p3") && e.contains("`weight`"), "{e}");
    }

    #[test]
    fn float32_weights_sum_as_written() {
        // 0.8f32 is 0.800000011920929: a hundred such clusters would sum to 80.000001 at six
        // decimals unless each weight is read to six decimals first, as written.
        let s = spec("province", Every::Day);
        let mut summary = SignalSummary::new(&s, &weights(), false).unwrap();
        let names: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let rows: Vec<_> = names
            .iter()
            .map(|c| {
                (
                    d(2026, 11, 3),
                    Some("浙江省"),
                    "complaint",
                    0.8f32,
                    c.as_str(),
                )
            })
            .collect();
        summary.add(&piece(&rows), "p").unwrap();
        let report = combine(summary.counts(), None, &s);
        assert_eq!(report.rows[0].clusters, 100);
        assert_eq!(report.rows[0].score, 80.0);
    }

    #[test]
    fn alerts_fill_groups_of_their_own_and_zeros_beside_signals() {
        let s = spec("category,province", Every::Week);
        let mut summary = SignalSummary::new(&s, &weights(), true).unwrap();
        let mut t = piece(&[(d(2026, 11, 3), Some("浙江省"), "complaint", 1.0, "a")]);
        t.category = [Some("玩具")].into_iter().collect();
        summary.add(&t, "p").unwrap();
        assert_eq!(
            SignalSummary::sorted(&summary.provinces),
            ["浙江省".to_string()]
        );
        let event = |day, change: &str, c: Option<&str>| AlertEvent {
            day,
            change: change.into(),
            category: c.map(String::from),
            region: c.map(|_| "浙江省".to_string()),
        };
        let events = [
            event(d(2026, 11, 4), "new", Some("玩具")),
            event(d(2026, 11, 5), "escalated", Some("玩具")),
            event(d(2026, 11, 10), "new", Some("灯具")),
            event(d(2026, 11, 10), "new", None),
        ];
        let report = combine(summary.counts(), Some(alert_summary(&events, &s)), &s);
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.period, r.signals, r.alerts_new, r.alerts_escalated))
            .collect();
        assert_eq!(
            got,
            [
                (d(2026, 11, 2), 1, Some(1), Some(1)),
                (d(2026, 11, 9), 0, Some(1), Some(0)),
                (d(2026, 11, 9), 0, Some(1), Some(0)),
            ]
        );
        assert_eq!(
            report.rows[2].groups,
            [None, None],
            "unknown alert: null, last"
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
        let dir = data_dir();
        let source = scan_signals(&dir.path().join("signals")).unwrap();
        let mut s = spec("category", Every::Day);
        s.by.push("shop".into());
        let e = build(&source, None, &s, &weights())
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"shop\""), "{e}");
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
        use parquet::basic::{LogicalType, Type as Physical};
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::Field;

        let dir = data_dir();
        let store = Store::open(&dir.path().join("state.sqlite")).unwrap();
        store
            .put_alerts(&[alert("移动电源", "广东省", 2)], &[])
            .unwrap();
        let report = table_of(
            dir.path(),
            &spec("category,province", Every::Week),
            Some(&store),
        );
        // Without a store the alert columns are null: both kinds of Int64 column read back.
        let plain = table_of(dir.path(), &spec("category,province", Every::Week), None);
        let csv = dir.path().join("out/r.csv");
        write(&report, ReportFormat::Csv, Some(&csv)).unwrap();
        for (report, name) in [(&report, "r.parquet"), (&plain, "plain.parquet")] {
            let pq = dir.path().join("out").join(name);
            write(report, ReportFormat::Parquet, Some(&pq)).unwrap();
            let reader = SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
            let schema = reader.metadata().file_metadata().schema_descr_ptr();
            let types: Vec<(String, Physical, Option<LogicalType>)> = schema
                .columns()
                .iter()
                .map(|c| {
                    let logical = c.logical_type_ref().cloned();
                    (c.name().to_string(), c.physical_type(), logical)
                })
                .collect();
            let ty = |name: &str| types.iter().find(|t| t.0 == name).unwrap().clone();
            assert_eq!(ty("period").2, Some(LogicalType::Date));
            assert_eq!(ty("category").2, Some(LogicalType::String));
            assert_eq!(ty("signals").1, Physical::INT64);
            assert_eq!(ty("score").1, Physical::DOUBLE);
            assert_eq!(ty("alerts_new").1, Physical::INT64);
            assert_eq!(
                types.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
                report.columns()
            );
            let opt_str = |v: &Option<String>| v.clone().map_or(Field::Null, Field::Str);
            let opt_int = |v: Option<i64>| v.map_or(Field::Null, Field::Long);
            let back: Vec<Vec<Field>> = reader
                .get_row_iter(None)
                .unwrap()
                .map(|r| r.unwrap().into_columns().into_iter().map(|c| c.1).collect())
                .collect();
            let want: Vec<Vec<Field>> = report
                .rows
                .iter()
                .map(|r| {
                    let mut f = vec![Field::Date(r.period.to_epoch_days())];
                    f.extend(r.groups.iter().map(opt_str));
                    f.extend([
                        Field::Long(r.signals),
                        Field::Long(r.clusters),
                        Field::Double(r.score),
                        opt_int(r.alerts_new),
                        opt_int(r.alerts_escalated),
                    ]);
                    f
                })
                .collect();
            assert_eq!(back, want, "{name}");
            assert!(
                back.iter().any(|r| r[2] == Field::Null),
                "an unplaced signal"
            );
        }
        assert!(plain.rows.iter().all(|r| r.alerts_new.is_none()));
        assert!(report.rows.iter().all(|r| r.alerts_new.is_some()));

        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("period,category,province,signals,clusters,score,alerts_new,alerts_escalated")
        );
        // (and the alert raised today, in a row of its own)
        let body: Vec<&str> = lines.collect();
        assert!(body.contains(&"2026-11-02,儿童玩具,,1,1,1.0,0,0"), "{text}");
        assert!(
            body.contains(&"2026-11-02,电动自行车,浙江省,3,2,3.1,0,0"),
            "{text}"
        );
        let mut records = csv::Reader::from_path(&csv).unwrap();
        let records: Vec<csv::StringRecord> = records.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), report.height());
        for (rec, row) in records.iter().zip(&report.rows) {
            assert_eq!(rec[5].parse::<f64>().unwrap(), row.score);
            assert_eq!(rec[6].parse::<i64>().ok(), row.alerts_new);
        }
        // No temp file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
        assert_eq!(left.len(), 3);
    }

    #[test]
    fn csv_floats_keep_a_point_and_no_exponent() {
        assert_eq!(output::csv_float(1.0), "1.0");
        assert_eq!(output::csv_float(3.1), "3.1");
        assert_eq!(output::csv_float(0.000001), "0.000001");
        assert_eq!(output::csv_float(0.0), "0.0");
    }

    #[test]
    fn the_table_aligns_chinese_text() {
        let dir = data_dir();
        let report = table_of(dir.path(), &spec("category,province", Every::Week), None);
        let text = format_table(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2 + report.height());
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
        let empty = Report {
            by: report.by.clone(),
            rows: Vec::new(),
        };
        assert!(format_table(&empty).ends_with("(no signals in the period)\n"));
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
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
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
        let report =
            report_data_dir(dir.path(), &spec("category,province", Every::Day), None).unwrap();
        let today = china_day(Utc::now());
        let mut found: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.period == today)
            .map(|r| {
                (
                    r.groups[0].clone().unwrap(),
                    r.groups[1].clone().unwrap(),
                    r.alerts_new.unwrap(),
                    r.alerts_escalated.unwrap(),
                    r.signals,
                )
            })
            .collect();
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
        assert!(by_city.height() > 0);
        assert!(by_city.rows.iter().all(|r| r.alerts_new.is_none()));
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
