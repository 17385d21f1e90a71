//! Day-by-day replay of a signal table (`jiance score --signals FILE --daily`).
//!
//! The table is aggregated once (per-cell daily series, and the rows indexed by cell and day);
//! each day then slides the window over those series and scores exactly as a single run would,
//! with the previous day's alerts as history. Each day costs work per cell (a 37-day slice and a
//! few tail probabilities), not per signal. In steps ([`replay_table`], issue 22): every day's
//! cells judged on their counts alone, days on every core (`super::plan`); the rows of the cells
//! that may alert read back, once; each day's categories holding such a cell scored in full, days
//! on every core again — the others cannot make an alert that day, and on a typical day they are
//! nearly all —; last, in day order, each alert's status against the previous day's.
//!
//! One difference from scoring each day separately: a cluster's weight is the largest of all its
//! copies in the table, including copies published after the replayed day (a later, stronger copy
//! raises the cluster's weight on its first day). Counts and first days are exact.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::alert::history;
use super::hold;
use super::load::{Table, on_cores};
#[cfg(feature = "reference")]
use super::score_prepared;
use super::table;
use super::{Outage, Run, ScoreError, ScoreOutput, ScoringRules, plan, score_prepared_in};
use crate::model::{Action, Alert, AlertStatus, Scope};
use crate::store::columnar::SignalColumns;
use crate::store::signals::from_epoch_days;

/// How an alert changed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Escalated,
    Deescalated,
    /// An alert new by its id that takes over an open or held alert of its category with the
    /// other scope at the same level and action (`[action] hold_across_scope`): no raise.
    Continued,
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
    /// What fired, for the false alerts' breakdown (`oracle::false_breakdown`); not published.
    #[serde(skip)]
    pub fired: Fired,
}

/// The test that raised an alert: the cell's p-value, the days of the (sub-)window that gave it,
/// and the detectors that fired (1 Poisson, 2 CUSUM, 3 both, 0 neither).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fired {
    pub p: f64,
    pub scan_days: u8,
    pub detector: u8,
    /// A systemic alert's provinces raised on their own, and its combined test's p-value.
    pub raised: u8,
    pub combined_p: f64,
}

impl Fired {
    fn of(a: &Alert) -> Fired {
        let term = |name: &str| {
            a.breakdown
                .iter()
                .find(|t| t.name == name)
                .map_or(0.0, |t| t.value)
        };
        Fired {
            p: term("p_value"),
            scan_days: term("scan_days") as u8,
            detector: term("detector") as u8,
            raised: term("raised_provinces") as u8,
            combined_p: term("combined_p"),
        }
    }
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
            fired: Fired::of(a),
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
pub fn day_range(t: &SignalColumns) -> Option<(NaiveDate, NaiveDate)> {
    let lo = t.day.iter().min()?;
    let hi = t.day.iter().max()?;
    Some((from_epoch_days(*lo), from_epoch_days(*hi)))
}

/// Replay a signal table day by day from `from` to `to` (inclusive). By default it starts on the
/// first day with a full baseline behind it (the table's first day + baseline + guard + window − 1:
/// earlier days have no history to compare with) and ends on the table's last day.
pub fn replay(
    rules: &ScoringRules,
    table: SignalColumns,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
) -> Result<Replay, ScoreError> {
    replay_with(rules, table, from, to, test_items, &[])
}

/// [`replay`] with the sources' outages over the replayed period (see `[outage]` in
/// scoring.toml): every day of the replay sees all of them, as a run after the fact would.
pub fn replay_with(
    rules: &ScoringRules,
    table: SignalColumns,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
) -> Result<Replay, ScoreError> {
    let table = super::load_frame(table)?;
    replay_table(rules, &table, from, to, test_items, outages)
}

/// The days a replay scores (`from ..= to`) and the first day its rows are read from, for a
/// table spanning `days`; `None` when there is nothing to replay.
fn span(
    rules: &ScoringRules,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    days: Option<(NaiveDate, NaiveDate)>,
) -> Option<(NaiveDate, NaiveDate, NaiveDate)> {
    let (lo, hi) = days?;
    let w = &rules.window;
    let warm = u64::from(w.baseline_days + w.guard_days + w.window_days.saturating_sub(1));
    let from = from
        .unwrap_or_else(|| lo.checked_add_days(chrono::Days::new(warm)).unwrap_or(lo))
        .max(lo);
    let to = to.unwrap_or(hi);
    if from > to {
        return None;
    }
    let detail_from = from
        .checked_sub_days(chrono::Days::new(u64::from(w.window_days)))
        .unwrap_or(lo)
        .max(lo);
    Some((from, to, detail_from))
}

/// [`replay_with`] over a loaded table ([`super::load`]).
///
/// Planned (issue 22): every day's cells are first judged on their counts alone, days on every
/// core (`super::plan`); then only the rows of the cells that may alert are read back, and each
/// day scores only the categories holding such a cell — the others have nothing to report that
/// day —, days on every core again; last, in day order, each alert's `first_seen` and status
/// against the previous day's alerts, as a run given them as history sets them.
pub fn replay_table(
    rules: &ScoringRules,
    t: &Table,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
) -> Result<Replay, ScoreError> {
    let Some((from, to, detail_from)) = span(rules, from, to, t.days()) else {
        return Ok(Replay::default());
    };
    let mut prep = table::prepare(t, rules, from, to, detail_from, outages)?;
    let started = std::time::Instant::now();
    let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let categories = prep.table.categories();
    let plans = on_cores(dates.len(), |i| -> Result<Vec<usize>, ScoreError> {
        Ok(plan::planned_cells(
            rules,
            &prep,
            &categories,
            dates[i],
            false,
        ))
    })?;
    let handles: Vec<u32> = plans
        .iter()
        .zip(&dates)
        .flat_map(|(cells, &day)| plan::window_rows(rules, &prep, cells, day))
        .collect();
    let planned = started.elapsed();
    prep.read_rows(t, handles)?;
    let read = started.elapsed();
    // Days on every core, each as a run without history (only `first_seen` and the status depend
    // on the previous day's alerts); those two are set below, day after day.
    let sampled = HashSet::new();
    let mut days = on_cores(dates.len(), |i| -> Result<ScoreOutput, ScoreError> {
        let Some(cells) = plans.get(i).filter(|cells| !cells.is_empty()) else {
            return Ok(ScoreOutput::default());
        };
        let run = Run {
            as_of: dates[i],
            sampled: &sampled,
            test_items,
            previous: &[],
            inspections: &[],
            source: None,
            dismissed: false,
            outages,
        };
        let categories = plan::categories_of(&categories, cells);
        Ok(score_prepared_in(rules, &prep, &run, &categories, false))
    })?;
    let scored = started.elapsed();
    let hold = (rules.action.hold_days, rules.action.hold_across_scope);
    let replay = replay_days(from, to, test_items, outages, hold, |i, run| {
        let mut out = days.get_mut(i).map(std::mem::take).unwrap_or_default();
        let previous: HashMap<&str, &Alert> =
            run.previous.iter().map(|a| (a.id.as_str(), a)).collect();
        for a in out.alerts.iter_mut().chain(out.dismissed.iter_mut()) {
            (a.first_seen, a.status) = history(
                previous.get(a.id.as_str()).copied(),
                a.level,
                a.action,
                run.as_of,
            );
        }
        out
    });
    tracing::debug!(
        days = dates.len(),
        cells = plans.iter().map(Vec::len).sum::<usize>(),
        plan_ms = planned.as_millis() as u64,
        rows_ms = (read - planned).as_millis() as u64,
        score_ms = (scored - read).as_millis() as u64,
        "replay planned and scored"
    );
    Ok(replay)
}

/// The replay over whatever aggregation `prepare` makes, every category scored every day
/// (`super::reference`'s aggregation, in tests, and the planned replay's comparison).
#[cfg(feature = "reference")]
pub(super) fn replay_prepared(
    rules: &ScoringRules,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
    days: Option<(NaiveDate, NaiveDate)>,
    prepare: impl FnOnce(NaiveDate, NaiveDate, NaiveDate) -> Result<table::Prepared, ScoreError>,
) -> Result<Replay, ScoreError> {
    let Some((from, to, detail_from)) = span(rules, from, to, days) else {
        return Ok(Replay::default());
    };
    let prep = prepare(from, to, detail_from)?;
    Ok(replay_days(
        from,
        to,
        test_items,
        outages,
        (rules.action.hold_days, rules.action.hold_across_scope),
        |_, run| score_prepared(rules, &prep, run),
    ))
}

/// Score each day from `from` to `to` with `score` (given the day's index and its run, the
/// previous day's alerts as history), hold the alerts that dropped for `hold.0` days and, with
/// `hold.1`, continue alerts across scope (`super::hold`), and collect the alert changes.
fn replay_days(
    from: NaiveDate,
    to: NaiveDate,
    test_items: &(dyn Fn(&str) -> Vec<String> + Sync),
    outages: &[Outage],
    hold: (u32, bool),
    mut score: impl FnMut(usize, &Run) -> ScoreOutput,
) -> Replay {
    let sampled = HashSet::new();
    let mut previous: Vec<Alert> = Vec::new();
    let mut changes = Vec::new();
    let mut last = ScoreOutput::default();
    let mut day = from;
    let mut i = 0;
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
        let mut out = score(i, &run);
        hold::hold(&previous, &mut out, day, hold.0, hold.1);
        let now: HashMap<&str, &Alert> = out.alerts.iter().map(|a| (a.id.as_str(), a)).collect();
        let mut today: Vec<AlertChange> = Vec::new();
        for a in &out.alerts {
            let change = match a.status {
                AlertStatus::New => Change::New,
                AlertStatus::Escalated => Change::Escalated,
                AlertStatus::Deescalated => Change::Deescalated,
                // Its own id is new, but it continues an alert of the other scope (`hold`).
                AlertStatus::Ongoing if !previous.iter().any(|p| p.id == a.id) => Change::Continued,
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
        i += 1;
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    tracing::debug!(%from, %to, changes = changes.len(), "replayed");
    Replay {
        changes,
        last,
        from: Some(from),
        to: Some(to),
    }
}
