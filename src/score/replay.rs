//! Day-by-day replay of a signal table (`jiance score --signals FILE --daily`).
//!
//! The table is aggregated once (one polars group-by into per-cell daily series, and the rows
//! indexed by cell and day); each day then slides the window over those series and scores exactly
//! as a single run would, with the previous day's alerts as history. Each day costs work per cell
//! (a 37-day slice and two tail probabilities), not per signal, so a year of 930 cells takes
//! seconds.
//!
//! One difference from scoring each day separately: a cluster's weight is the largest of all its
//! copies in the table, including copies published after the replayed day (a later, stronger copy
//! raises the cluster's weight on its first day). Counts and first days are exact.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use super::load::Table;
use super::table::{self, Prepared};
use super::{Outage, Run, ScoreError, ScoreOutput, ScoringRules, score_prepared};
use crate::model::{Action, Alert, AlertStatus, Scope};
use crate::store::signals::from_epoch_days;

/// How an alert changed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Escalated,
    Deescalated,
    Closed,
}

/// One alert change of a replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertChange {
    pub day: NaiveDate,
    pub alert_id: String,
    pub change: Change,
    pub category: String,
    pub scope: Scope,
    pub regions: Vec<String>,
    pub level: u8,
    pub action: Action,
    pub score: f64,
}

impl AlertChange {
    fn of(day: NaiveDate, change: Change, a: &Alert) -> AlertChange {
        AlertChange {
            day,
            alert_id: a.id.clone(),
            change,
            category: a.category.clone(),
            scope: a.scope,
            regions: a.regions.clone(),
            level: a.level,
            action: a.action,
            score: a.score,
        }
    }
}

/// What a replay found.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Every change, by day, then alert id.
    pub changes: Vec<AlertChange>,
    /// The last day's run.
    pub last: ScoreOutput,
    /// The days replayed.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The first and last `day` of a table, if it has rows.
pub fn day_range(frame: &LazyFrame) -> Result<Option<(NaiveDate, NaiveDate)>, ScoreError> {
    let df = frame
        .clone()
        .select([
            col("day").cast(DataType::Int32).min().alias("lo"),
            col("day").cast(DataType::Int32).max().alias("hi"),
        ])
        .collect()?;
    let lo = df.column("lo")?.i32()?.get(0);
    let hi = df.column("hi")?.i32()?.get(0);
    Ok(lo
        .zip(hi)
        .map(|(a, b)| (from_epoch_days(a), from_epoch_days(b))))
}

/// Replay a signal table day by day from `from` to `to` (inclusive). By default it starts on the
/// first day with a full baseline behind it (the table's first day + baseline + guard + window − 1:
/// earlier days have no history to compare with) and ends on the table's last day.
pub fn replay(
    rules: &ScoringRules,
    frame: LazyFrame,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
) -> Result<Replay, ScoreError> {
    replay_with(rules, frame, from, to, test_items, &[])
}

/// [`replay`] with the sources' outages over the replayed period (see `[outage]` in
/// scoring.toml): every day of the replay sees all of them, as a run after the fact would.
pub fn replay_with(
    rules: &ScoringRules,
    frame: LazyFrame,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
) -> Result<Replay, ScoreError> {
    let table = super::load_frame(frame)?;
    replay_table(rules, &table, from, to, test_items, outages)
}

/// [`replay_with`] over a loaded table ([`super::load`]).
pub fn replay_table(
    rules: &ScoringRules,
    t: &Table,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
) -> Result<Replay, ScoreError> {
    replay_prepared(
        rules,
        from,
        to,
        test_items,
        outages,
        t.days(),
        |from, to, detail_from| table::prepare(t, rules, from, to, detail_from, outages),
    )
}

/// The replay over whatever aggregation `prepare` makes (`super::reference`'s, in tests).
pub(super) fn replay_prepared(
    rules: &ScoringRules,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
    days: Option<(NaiveDate, NaiveDate)>,
    prepare: impl FnOnce(NaiveDate, NaiveDate, NaiveDate) -> Result<Prepared, ScoreError>,
) -> Result<Replay, ScoreError> {
    let Some((lo, hi)) = days else {
        return Ok(Replay::default());
    };
    let w = &rules.window;
    let warm = u64::from(w.baseline_days + w.guard_days + w.window_days.saturating_sub(1));
    let from = from
        .unwrap_or_else(|| lo.checked_add_days(chrono::Days::new(warm)).unwrap_or(lo))
        .max(lo);
    let to = to.unwrap_or(hi);
    if from > to {
        return Ok(Replay::default());
    }
    let detail_from = from
        .checked_sub_days(chrono::Days::new(u64::from(w.window_days)))
        .unwrap_or(lo)
        .max(lo);
    let prep = prepare(from, to, detail_from)?;
    let sampled = HashSet::new();
    let mut previous: Vec<Alert> = Vec::new();
    let mut changes = Vec::new();
    let mut last = ScoreOutput::default();
    let mut day = from;
    while day <= to {
        let run = Run {
            as_of: day,
            sampled: &sampled,
            test_items,
            previous: &previous,
            inspections: &[],
            source: None,
            dismissed: false,
            outages,
        };
        let out = score_prepared(rules, &prep, &run);
        let now: HashMap<&str, &Alert> = out.alerts.iter().map(|a| (a.id.as_str(), a)).collect();
        let mut today: Vec<AlertChange> = Vec::new();
        for a in &out.alerts {
            let change = match a.status {
                AlertStatus::New => Change::New,
                AlertStatus::Escalated => Change::Escalated,
                AlertStatus::Deescalated => Change::Deescalated,
                _ => continue,
            };
            today.push(AlertChange::of(day, change, a));
        }
        for p in &previous {
            if !now.contains_key(p.id.as_str()) {
                today.push(AlertChange::of(day, Change::Closed, p));
            }
        }
        today.sort_by(|a, b| a.alert_id.cmp(&b.alert_id));
        changes.extend(today);
        previous = out.alerts.clone();
        last = out;
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    tracing::debug!(%from, %to, changes = changes.len(), "replayed");
    Ok(Replay {
        changes,
        last,
        from: Some(from),
        to: Some(to),
    })
}
