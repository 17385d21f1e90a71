//! Score: signals → per (category, region, day) counts against their own baselines → ranked alerts
//! (`notify` / `sample`), drafted sampling requests, and the dismissed cells for the record.
//!
//! Data flows one way: the signal table (`crate::store::signals`: built from the store's `Signal`s
//! by [`score`], or scanned from Parquet / JSON Lines for [`score_frame`] and [`replay`]) →
//! `load` + `table::prepare` (the only pass over every signal: integer-coded records grouped into
//! dense daily series per (category, cell), plus an index of the rows by cell and day) → per-cell facts, from
//! counts alone for every cell and from the window rows only for cells that may alert → scope →
//! action → [`Alert`] and [`SamplingRequest`] → store / serve. Every threshold lives in
//! `rules/scoring.toml` ([`ScoringRules`]); nothing here is tuned in code.
//!
//! # Method
//! 1. **De-duplication.** Within a (category, cell) each near-duplicate cluster counts once, on the
//!    first day it appears, with the largest weight of its copies; a signal weighs its source weight
//!    × its channel weight. A story reposted by ten sites is one event, and one seen before the
//!    window and reposted inside it is old news. The first day is over all history up to the scored
//!    day, so a single run and a replay agree on it.
//! 2. **Cells.** (category, province, day) and (category, nation, day), the nation being every
//!    province plus `全国` plus unplaced signals (places abroad count nowhere). The window is the last
//!    `window_days` days ending on `as_of`; the baseline the `baseline_days` before a `guard_days`
//!    band. Expected = baseline rate per average day × the window days' weekday factors, floored at
//!    `prior_per_day` × window days.
//!
//!    *Weekday effects.* Complaints dip at weekends and pile up on Mondays. Each category gets seven
//!    day-of-week factors (mean 1) from its national counts over the last `[weekday] history_days`
//!    before the guard band, each shrunk towards 1 by `prior_days` pseudo-days (sparse categories
//!    do not learn noise); its provincial cells, too sparse for their own, share them. The baseline
//!    rate divides the baseline by its days' factors, the expectation multiplies by the window's,
//!    and the baseline's dispersion is measured on the residual x − rate × factor (a weekend dip is
//!    not noise, so it must not widen the test). With a 7-day window and a 28-day baseline each
//!    weekday is equally represented and only the dispersion changes; with other windows the
//!    expectation does too.
//! 3. **Detection.** Elevated when the window holds ≥ `min_clusters` distinct clusters, a weighted
//!    count ≥ `min_weight`, observed/expected ≥ `min_excess_ratio`, and the Poisson upper-tail
//!    probability P(X ≥ observed | expected) < `p_threshold`.
//!    The window's last `scan_days` days (1 and 3 by default) are tested on their own too: a sharp
//!    rise is seen the day it starts rather than once it fills the 7-day window. The cell's p-value
//!    is the whole window's, or the smallest sub-window's times the number of sub-windows
//!    (Bonferroni) when that is smaller, so scanning at most doubles the chance elevations of the
//!    whole window alone.
//!
//!    *Why Poisson and not EARS C2.* Most (category, province) cells see a few signals a month. EARS
//!    C1–C3 standardise by the baseline's standard deviation, which is zero or tiny in such cells, so
//!    a single report gives an infinite z; they also assume near-normal counts. The Poisson tail is
//!    exact for small counts, and the `prior_per_day` floor acts as a weak prior rate so that a zero
//!    baseline stays finite. What C2 gets right, that real counts are over-dispersed (news cycles,
//!    campaigns), is kept: the baseline's daily variance/mean beyond what the weights explain (≥ 1,
//!    capped at `max_dispersion`) widens the test quasi-Poisson style. Weighted counts enter the
//!    tests as effective event counts, divided by Σw²/Σw of the cell (a sum of Poisson events of
//!    weight w has variance w × mean), so the weights rank evidence without making a cell of
//!    low-weight sources deaf or one of high-weight sources jumpy. The
//!    threshold is tight (0.001 by default) because every run tests some 40 × 32 cells; the cluster
//!    minimum, not the p-value, is what stops one complaint or one reposted story.
//!
//!    *Calendar and outages* (`calendar`, `disturb`). A day's factor is its weekday's (a holiday's
//!    day off a weekend day's, a shifted working day a working day's) × the calendar's lift for
//!    the cell's channel mix × the coverage left by source outages; the baseline divides it out
//!    and the expectation multiplies it back, so a festival everywhere is no outbreak anywhere
//!    and a silent source's days are neither a dip in the baseline nor, on its return, a surge.
//!
//!    *Second detector.* A negative-binomial CUSUM over the last `[cusum] days` days (each day's
//!    expected level from the same factors, the NB size from the baseline's over-dispersion)
//!    also elevates a cell when it reaches its threshold; the breakdown's `detector` says which
//!    test fired.
//!
//!    The Poisson test takes the baseline mean as the true rate. A baseline that was low by chance
//!    (a quiet fortnight) then makes ordinary days look like a rise. Sampling, which costs money,
//!    therefore also needs the *conditional* test of two Poisson counts: given window + baseline,
//!    is the window's share above window_days / (window_days + baseline_days)? (binomial upper
//!    tail below `sample_p_threshold`, baseline floored as above, same dispersion). It cannot flag
//!    three reports against an empty baseline (0.2³ = 0.008), which is right: that is a matter to
//!    notify, not to sample. Even so, with several hundred busy cells per run a chance cell reaches
//!    a sampling proposal now and then (about one every few runs when every cell is dense); the
//!    proposal is reviewed by a person, and the threshold is data.
//! 4. **Risk.** Severity = highest severity of the window's signals (analysis already raised it for
//!    children, deaths, many injured), adjusted by `[[severity_modifier]]`. Likelihood = 1 +
//!    ⌊points⌋ (≤ 4), points from the excess ratio, the number of clusters, independent publishers
//!    (a signal's `source`: one per cluster, a site's HTML, feed and API being one) and channels, and a regulator inspection failure or recall (which can only ever
//!    raise). Level = the 4×4 severity × likelihood matrix (GB/T 22760-2020, EU Safety Gate).
//!    Inspection results of the alert's own sampling (`[inspection]`, recorded through the API or
//!    `jiance inspect-result`): a failed batch adds likelihood points and keeps the alert at `sample`
//!    when its level allows; batches that all passed take points off and bring `sample` down to
//!    `notify`, never raising anything. Both show in the breakdown (`inspection_*`).
//! 5. **Scope.** Systemic when the nation cell is elevated and either spread (≥
//!    `systemic_min_provinces` provinces each above its own baseline with p < `raised_p`, none
//!    holding more than `max_province_share` of the provinces' count: raised, not merely with
//!    signals, since in busy categories every province has signals every week) or backed by a national regulator notice (province `全国`, channel regulator) — unless
//!    one elevated province holds ≥ `concentration` of the provinces' summed *excess* (observed −
//!    expected, floored at 0: the excess rather than the raw count, so other provinces' ordinary
//!    baseline does not dilute an outbreak; provinces only, since nationwide and unplaced reports
//!    say nothing about where). A rise spread thinly is systemic too when the combined test across
//!    provinces (the k smallest provincial p-values against Binomial(n, p(k)), Bonferroni over
//!    k) is below `combined_p`, those provinces are `combined_min_ratio` above expectation
//!    together and at least `combined_min_raised` provinces are raised on their own. Both tests
//!    read each province's Poisson p-value, or with `[scope] evidence = "notify"` the notify
//!    gate's test (the conditional one where the baseline holds events). A systemic alert (region `全国` plus the provinces) folds in the category's provinces;
//!    otherwise each elevated province gets its own regional alert.
//! 6. **Action** (DB33/T 980): `sample` for a regional or systemic problem at level ≥
//!    `sample_min_level`, with ≥ `sample_min_clusters` clusters, corroborated (≥ `sample_min_sources`
//!    sources or a regulator notice), not confined to one city, and still significant once the
//!    baseline's own uncertainty is counted (the conditional test below); `notify` the local unit for a
//!    real but local or weaker problem (the alert names the province and, when known, the city);
//!    `dismiss` below `notify_min_level` or below the detection threshold (kept in
//!    [`ScoreOutput::dismissed`] when the cell's count is above its expectation), or, for a
//!    notify (regional or systemic), short of the notify budget's threshold (`notify_budget`,
//!    issue 46: a false-alert rate per category-year spread over the category's cells and tests
//!    a year; the evidence, by `notify_evidence`, the Poisson test, the conditional test of the
//!    scanned window, or (the default, "mixed") the conditional test where the baseline holds
//!    `notify_sparse_events` effective events and the Poisson test where it is sparser; with `notify_systemic`, a
//!    systemic alert's is the nation cell's own), or, for a province's notify, whose evidence has
//!    not held on `notify_run_days` of the last `notify_run_of` days and is not strong
//!    (`run_length`: the past days scored again from the data). The gate reads the day's data alone, so replays stay exact; the
//!    hysteresis (`hold`, `hold_days`) is applied after the run: an alert that drops stays open,
//!    as it was, until its cell has not alerted for `hold_days` days.
//! 7. **Explanation and history.** Every number is a [`ScoreTerm`] of the breakdown; evidence is one
//!    document per cluster, strongest first; status and `first_seen` come from the previous run's
//!    alert with the same stable id ([`alert_id`] of category, scope and province or `全国`): new
//!    when there was none, escalated when the level rose (or, at the same level, the action did),
//!    de-escalated when it fell, ongoing otherwise. Alerts of the previous run that are gone are
//!    not reported here (the store closes them).
//! 8. **Sampling.** Each `sample` alert drafts a [`SamplingRequest`]: test items from its hazards,
//!    the platforms, shops, brands and enterprises of its evidence (minus those already sampled),
//!    batches and deadline by level.
//!
//! Cost: one pass over the signals into integer-coded series (no `Signal` per row), then work per
//! cell: counts for every cell (`plan`), and `Signal`s only for the window rows of the cells that
//! may alert or be recorded, read back for them alone. A replay ([`replay`]) aggregates once,
//! judges every day's cells on their counts on every core, reads the rows the plan names, and
//! scores each day's categories that hold such a cell.

mod aggregate;
mod alert;
mod breakdown;
mod calendar;
mod category;
mod contacts;
pub mod disproportion;
mod disturb;
pub mod evaluate;
mod facts;
pub mod fatigue;
#[cfg(test)]
mod gates;
mod hold;
mod load;
pub mod oracle;
mod plan;
/// The aggregation before issue 22, kept as the reference the comparison tests hold the new one
/// to (unit tests on the simulated year, `tests/it/demo.rs` on the demo).
#[cfg(feature = "reference")]
#[doc(hidden)]
pub mod reference;
mod replay;
pub mod route;
mod rows;
mod rules;
mod run_length;
pub mod sim;
#[cfg(test)]
mod sim_figures;
mod stats;
mod table;
mod why;

pub use calendar::{CALENDAR_FILE, Calendar, DEFAULT_CALENDAR_TOML, DayType, Event, EventKind};
pub use contacts::{Contacts, DEFAULT_JURISDICTIONS_TOML, JURISDICTIONS_FILE};
pub use disturb::Outage;
pub use hold::keep_held_requests;
pub use load::{Table, load};
pub use replay::{AlertChange, Change, Replay, day_range, replay, replay_table, replay_with};
pub use route::{PartyPlaces, Place, jurisdictions, jurisdictions_of, route};

pub use rules::{
    ActionRules, AlertRules, ChannelWeights, CusumRules, DEFAULT_SCORING_TOML, DetectRules,
    InspectionRules, LikelihoodRules, NotifyEvidence, OutageRules, RiskRules, SCORING_FILE,
    SamplingPlan, SamplingRules, ScopeEvidence, ScopeRules, ScoringRules, SeverityModifier, Steps,
    WeekdayRules, WindowRules, step_points,
};
pub use stats::{binomial_upper_tail, nb_cusum, nb_llr, nb_size, poisson_upper_tail};

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::model::{Action, Alert, SamplingRequest, Scope, Signal};
use crate::store::columnar::SignalColumns;
use aggregate::{Cell, CellSeries, Periods};
use alert::{decide, emit};
use breakdown::{flag, term};
use category::score_category;
#[cfg(test)]
use facts::combined_p_value;
use facts::{Counts, Facts, daily, facts_of};
use table::Prepared;
use why::Why;

/// The cluster a signal belongs to (its own document when analysis gave none).
pub fn cluster_of(s: &Signal) -> &str {
    if s.cluster.is_empty() {
        &s.doc_id
    } else {
        &s.cluster
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("signal table: {0}")]
    Table(#[from] crate::store::signals::SignalTableError),
    /// The kept reference aggregation failed (comparison tests only).
    #[cfg(feature = "reference")]
    #[error("reference aggregation: {0}")]
    Reference(String),
}

/// What one scoring run looks at.
pub struct ScoreInput<'a> {
    pub signals: &'a [Signal],
    /// Score the state at the end of this day (later signals are ignored).
    pub as_of: NaiveDate,
    /// Shops, brands and enterprises already sampled in the exclusion period.
    pub sampled: &'a HashSet<String>,
    /// Hazard → the test items that check it (from the analysis rules).
    pub test_items: &'a (dyn Fn(&str) -> Vec<String> + Sync),
    /// Alerts of the previous run, for `first_seen` and status.
    pub previous: &'a [Alert],
    /// Inspection results of alerts' sampling (see [`ScoringRules`] `[inspection]`).
    pub inspections: &'a [crate::store::InspectionResult],
    /// Sources down (from source health): their days are discounted (see `[outage]`).
    pub outages: &'a [Outage],
}

/// What one scoring run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreOutput {
    /// `notify` and `sample` alerts, ranked: level, then score, descending.
    pub alerts: Vec<Alert>,
    /// One request per `sample` alert, in the alerts' order.
    pub sampling: Vec<SamplingRequest>,
    /// For the record (action `dismiss`): provincial cells above their expectation that did not
    /// make an alert, and national rises that made no alert; ranked like `alerts`. A category with
    /// a systemic alert has no records here.
    pub dismissed: Vec<Alert>,
}

/// What one scoring run over a signal table looks at (see [`score_frame`]).
pub struct FrameInput<'a> {
    /// Score the state at the end of this day (later signals are ignored).
    pub as_of: NaiveDate,
    /// Shops, brands and enterprises already sampled in the exclusion period.
    pub sampled: &'a HashSet<String>,
    /// Hazard → the test items that check it (from the analysis rules).
    pub test_items: &'a (dyn Fn(&str) -> Vec<String> + Sync),
    /// Alerts of the previous run, for `first_seen` and status.
    pub previous: &'a [Alert],
    /// Inspection results of alerts' sampling.
    pub inspections: &'a [crate::store::InspectionResult],
    /// Sources down (from source health): their days are discounted (see `[outage]`).
    pub outages: &'a [Outage],
}

/// One run's settings, whatever the signals came from.
struct Run<'a> {
    as_of: NaiveDate,
    sampled: &'a HashSet<String>,
    test_items: &'a (dyn Fn(&str) -> Vec<String> + Sync),
    previous: &'a [Alert],
    inspections: &'a [crate::store::InspectionResult],
    /// The caller's signals when the table was built from them (their parties feed sampling).
    source: Option<&'a [Signal]>,
    /// Keep dismissed records (a replay does not need them).
    dismissed: bool,
    outages: &'a [Outage],
}

/// Score signals into alerts and sampling requests (see the module docs for the method). The
/// signals become a signal table and are scored by [`score_frame`]; their parties feed the
/// sampling requests.
pub fn score(rules: &ScoringRules, input: &ScoreInput) -> ScoreOutput {
    match try_score(rules, input) {
        Ok(out) => out,
        Err(e) => {
            // An in-memory table of valid signals does not fail to aggregate; say so if it does.
            tracing::error!("scoring failed: {e}");
            ScoreOutput::default()
        }
    }
}

/// [`score`], with the aggregation's failure returned rather than logged (the service and reruns
/// must not store an empty result as if nothing were wrong).
pub fn try_score(rules: &ScoringRules, input: &ScoreInput) -> Result<ScoreOutput, ScoreError> {
    let run = Run {
        as_of: input.as_of,
        sampled: input.sampled,
        test_items: input.test_items,
        previous: input.previous,
        inspections: input.inspections,
        source: Some(input.signals),
        dismissed: true,
        outages: input.outages,
    };
    let table = crate::store::signals::to_table(input.signals);
    score_loaded(rules, &load_frame(table)?, &run)
}

/// Score a signal table (`crate::store::signals`: a Parquet file or partitions, a JSON Lines file,
/// or an in-memory table) as of the end of `input.as_of`, without building a `Signal` per row:
/// only the window rows of cells that need details become `Signal`s (without parties, which the
/// table does not hold).
pub fn score_frame(
    rules: &ScoringRules,
    table: SignalColumns,
    input: &FrameInput,
) -> Result<ScoreOutput, ScoreError> {
    score_loaded(rules, &load_frame(table)?, &frame_run(input))
}

/// [`score_frame`] over a loaded table ([`load`]: what `jiance score --signals` reads, piece by
/// piece, a few columns at a time).
pub fn score_table(
    rules: &ScoringRules,
    table: &Table,
    input: &FrameInput,
) -> Result<ScoreOutput, ScoreError> {
    score_loaded(rules, table, &frame_run(input))
}

fn frame_run<'a>(input: &FrameInput<'a>) -> Run<'a> {
    Run {
        as_of: input.as_of,
        sampled: input.sampled,
        test_items: input.test_items,
        previous: input.previous,
        inspections: input.inspections,
        source: None,
        dismissed: true,
        outages: input.outages,
    }
}

/// An in-memory table, loaded.
fn load_frame(table: SignalColumns) -> Result<Table, ScoreError> {
    load(crate::store::signal_read::SignalSource::from_table(
        table,
        "<signals>",
    ))
}

fn score_loaded(rules: &ScoringRules, t: &Table, run: &Run) -> Result<ScoreOutput, ScoreError> {
    let periods = Periods::new(&rules.window, run.as_of);
    let mut prep = table::prepare(
        t,
        rules,
        run.as_of,
        run.as_of,
        periods.window_start,
        run.outages,
    )?;
    // The cells that need their rows, from the counts; then only their rows are read back and
    // only their categories scored (the others have nothing to report).
    let categories = prep.table.categories();
    let cells = plan::planned_cells(rules, &prep, &categories, run.as_of, run.dismissed);
    prep.read_rows(t, plan::window_rows(rules, &prep, &cells, run.as_of))?;
    let mut out = score_prepared_in(
        rules,
        &prep,
        run,
        &plan::categories_of(&categories, &cells),
        true,
    );
    hold::hold(
        run.previous,
        &mut out,
        run.as_of,
        rules.action.hold_days,
        rules.action.hold_across_scope,
    );
    Ok(out)
}

/// One run over aggregated data (every row it reads already read back).
#[cfg(feature = "reference")]
fn score_prepared(rules: &ScoringRules, prep: &Prepared, run: &Run) -> ScoreOutput {
    score_prepared_in(rules, prep, run, &prep.table.categories(), true)
}

/// [`score_prepared`] over some categories (ranges of keys, ascending): the others must have no
/// cell that reads rows ([`plan::reading_rows`]), so they have nothing to report. `parallel`:
/// categories on every core.
fn score_prepared_in(
    rules: &ScoringRules,
    prep: &Prepared,
    run: &Run,
    categories: &[std::ops::Range<usize>],
    parallel: bool,
) -> ScoreOutput {
    let periods = Periods::new(&rules.window, run.as_of);
    let previous: HashMap<&str, &Alert> = run.previous.iter().map(|a| (a.id.as_str(), a)).collect();
    // Cells that could be sampled (enough clusters in the window): the sampling test is shared
    // among them, so a run over a thousand busy cells does not propose chance samplings daily.
    let eligible = (0..prep.table.keys.len())
        .filter(|&k| {
            prep.table
                .clusters_between(k, periods.window_start, periods.as_of)
                >= rules.action.sample_min_clusters
        })
        .count();
    let sample_alpha = rules
        .action
        .sample_p_threshold
        .min(rules.action.sample_family_p / eligible.max(1) as f64);
    let days = prep.disturb.run_days(&periods);
    let ctx = Ctx {
        rules,
        run,
        periods: &periods,
        previous: &previous,
        prep,
        sample_alpha,
        days: &days,
    };
    // Categories are scored apart (scope is decided within one), so they share the cores (unless
    // the caller already spreads runs over them); their results are joined in category order and
    // ranked below, as one thread would.
    let mut out = ScoreOutput::default();
    if parallel {
        let parts = load::on_cores(
            categories.len(),
            |i| -> Result<ScoreOutput, std::convert::Infallible> {
                let mut part = ScoreOutput::default();
                score_category(&ctx, categories[i].clone(), &mut part);
                Ok(part)
            },
        );
        for part in parts.into_iter().flatten() {
            out.alerts.extend(part.alerts);
            out.sampling.extend(part.sampling);
            out.dismissed.extend(part.dismissed);
        }
    } else {
        for keys in categories {
            score_category(&ctx, keys.clone(), &mut out);
        }
    }

    let rank = |a: &Alert, b: &Alert| {
        b.level
            .cmp(&a.level)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.id.cmp(&b.id))
    };
    out.alerts.sort_by(rank);
    out.dismissed.sort_by(rank);
    let order: HashMap<&str, usize> = out
        .alerts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    out.sampling.sort_by_key(|r| {
        order
            .get(r.alert_id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    tracing::debug!(
        as_of = %run.as_of,
        cells = prep.table.keys.len(),
        alerts = out.alerts.len(),
        sampling = out.sampling.len(),
        dismissed = out.dismissed.len(),
        "scored"
    );
    out
}

struct Ctx<'a, 'i> {
    rules: &'a ScoringRules,
    run: &'a Run<'i>,
    periods: &'a Periods,
    previous: &'a HashMap<&'a str, &'a Alert>,
    prep: &'a Prepared,
    /// The conditional test's threshold for sampling in this run (see `sample_family_p`).
    sample_alpha: f64,
    /// The calendar and outages over the run's days.
    days: &'a disturb::RunDays,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use rand::seq::IndexedRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::{AlertStatus, Channel, DocKind, Parties, alert_id};

    use crate::model::PROVINCES;

    /// (category, usual hazard, its severity)
    const CATEGORIES: [(&str, &str, u8); 20] = [
        ("电动自行车", "火灾", 4),
        ("电动自行车用蓄电池", "爆炸", 4),
        ("移动电源", "火灾", 4),
        ("电热水壶", "烫伤/烧伤", 3),
        ("玩具", "窒息", 4),
        ("磁性玩具", "误吞", 4),
        ("童车", "跌落/倾倒", 3),
        ("儿童及婴幼儿服装", "化学危害", 3),
        ("电热毯", "触电", 4),
        ("家用燃气灶具", "中毒", 4),
        ("插头插座", "触电", 4),
        ("头盔", "机械伤害", 3),
        ("服装", "非安全质量", 1),
        ("电风扇", "功能失效", 2),
        ("学生文具", "化学危害", 3),
        ("床上用品", "标志说明不合格", 1),
        ("电线电缆", "火灾", 4),
        ("汽车轮胎", "交通事故/失控", 4),
        ("塑料餐饮具", "化学危害", 3),
        ("吸油烟机", "功能失效", 2),
    ];

    const SOURCES: [(&str, Channel, DocKind, f32); 7] = [
        ("12315平台", Channel::Complaint, DocKind::Complaint, 0.8),
        ("黑猫投诉", Channel::Complaint, DocKind::Complaint, 0.6),
        ("澎湃新闻", Channel::Media, DocKind::Media, 0.9),
        ("地方晚报", Channel::Media, DocKind::Media, 0.7),
        ("电商评价", Channel::Platform, DocKind::Listing, 0.5),
        (
            "电商平台抽检公示",
            Channel::Platform,
            DocKind::Inspection,
            0.9,
        ),
        ("省市场监管局", Channel::Regulator, DocKind::Notice, 1.0),
    ];

    const ZJ_CITIES: [&str; 5] = ["杭州市", "宁波市", "温州市", "金华市", "台州市"];

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    /// A complaint signal with the usual defaults; tests change what they need.
    fn sig(
        id: &str,
        d: NaiveDate,
        category: &str,
        hazard: &str,
        severity: u8,
        province: Option<&str>,
    ) -> Signal {
        Signal {
            doc_id: id.into(),
            time: Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap()),
            category: category.into(),
            hazard: hazard.into(),
            severity,
            province: province.map(Into::into),
            city: None,
            source: "12315平台".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: format!("c-{id}"),
            parties: Parties::default(),
            product: None,
        }
    }

    fn from_source(mut s: Signal, src: &(&str, Channel, DocKind, f32)) -> Signal {
        s.source = src.0.into();
        s.channel = src.1;
        s.kind = src.2;
        s.weight = src.3;
        s
    }

    /// Sparse background: every category in every province at a few signals a month, some
    /// nationwide and unplaced ones, a tenth of stories reposted by other sites, over `days` days.
    fn noise(rng: &mut ChaCha8Rng, days: i64, skip: &[&str]) -> Vec<Signal> {
        let mut out = Vec::new();
        for (c, &(category, hazard, sev)) in CATEGORIES.iter().enumerate() {
            if skip.contains(&category) {
                continue;
            }
            for (p, province) in PROVINCES.iter().enumerate() {
                let rate = rng.random_range(0.005..0.03);
                for d in 0..days {
                    if !rng.random_bool(rate) {
                        continue;
                    }
                    let id = format!("n-{c}-{p}-{d}");
                    let src = SOURCES.choose(rng).unwrap();
                    let s =
                        from_source(sig(&id, day(d), category, hazard, sev, Some(province)), src);
                    if rng.random_bool(0.1) {
                        for k in 0..rng.random_range(1..4) {
                            let mut copy = from_source(s.clone(), SOURCES.choose(rng).unwrap());
                            copy.doc_id = format!("{id}-r{k}");
                            out.push(copy);
                        }
                    }
                    out.push(s);
                }
            }
            for d in 0..days {
                for (k, place) in [Some("全国"), None].into_iter().enumerate() {
                    if rng.random_bool(0.02) {
                        let id = format!("n-{c}-x{k}-{d}");
                        out.push(from_source(
                            sig(&id, day(d), category, hazard, sev, place),
                            &SOURCES[2],
                        ));
                    }
                }
            }
        }
        out
    }

    fn items(h: &str) -> Vec<String> {
        match h {
            "火灾" => vec!["阻燃性能".into(), "过充保护".into()],
            "爆炸" => vec!["过充保护".into(), "短路保护".into()],
            "触电" => vec!["电气强度".into()],
            other => vec![format!("{other}相关项目")],
        }
    }

    fn run_with(
        signals: &[Signal],
        as_of: NaiveDate,
        sampled: &HashSet<String>,
        previous: &[Alert],
    ) -> ScoreOutput {
        let rules = ScoringRules::load(None).unwrap();
        let input = ScoreInput {
            signals,
            as_of,
            sampled,
            test_items: &items,
            previous,
            inspections: &[],
            outages: &[],
        };
        score(&rules, &input)
    }

    fn run(signals: &[Signal], as_of: NaiveDate) -> ScoreOutput {
        run_with(signals, as_of, &HashSet::new(), &[])
    }

    fn term_of(a: &Alert, name: &str) -> f64 {
        a.breakdown
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no term {name}"))
            .value
    }

    /// A regional outbreak of e-bike fires in Zhejiang: an ordinary 0.5 a day for `days` days, then
    /// two more a day (about 4× the baseline) on the last `outbreak` days, from several sources,
    /// channels and cities, with the shops and brands involved.
    fn zj_outbreak(rng: &mut ChaCha8Rng, days: i64, outbreak: i64) -> Vec<Signal> {
        let mut out = Vec::new();
        for d in 0..days {
            let mut n = 0;
            // Poisson(0.5) by thinning: five draws at 0.1.
            for _ in 0..5 {
                n += usize::from(rng.random_bool(0.1));
            }
            if d >= days - outbreak {
                n += 2;
            }
            for k in 0..n {
                let id = format!("zj-{d}-{k}");
                let src = SOURCES[..5].choose(rng).unwrap();
                let mut s = from_source(
                    sig(&id, day(d), "电动自行车", "火灾", 4, Some("浙江省")),
                    src,
                );
                s.city = Some(ZJ_CITIES.choose(rng).unwrap().to_string());
                s.parties = Parties {
                    brands: vec![["疾风", "骑迹", "雅途"].choose(rng).unwrap().to_string()],
                    enterprises: vec!["台州某某车业有限公司".into()],
                    shops: vec![
                        ["疾风官方旗舰店", "骑迹电动车专营店", "速达车行"]
                            .choose(rng)
                            .unwrap()
                            .to_string(),
                    ],
                    platforms: vec![["淘宝", "京东", "拼多多"].choose(rng).unwrap().to_string()],
                };
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn background_noise_never_samples() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let signals = noise(&mut rng, 90, &[]);
        assert!(
            signals.len() > 800,
            "noise too thin to test anything: {}",
            signals.len()
        );
        let cells = CATEGORIES.len() * PROVINCES.len();
        for d in 60..90 {
            let out = run(&signals, day(d));
            let sampled: Vec<&str> = out
                .alerts
                .iter()
                .filter(|a| a.action == Action::Sample)
                .map(|a| a.summary.as_str())
                .collect();
            assert!(sampled.is_empty(), "day {d}: {sampled:?}");
            assert!(out.sampling.is_empty());
            // Chance notifications stay rare: at most 1% of the (category, province) cells.
            assert!(
                out.alerts.len() * 100 <= cells,
                "day {d}: {} alerts",
                out.alerts.len()
            );
            assert!(
                !out.dismissed.is_empty(),
                "day {d}: noise should leave records"
            );
        }
    }

    #[test]
    fn one_province_outbreak_stays_regional_despite_a_national_notice() {
        // Zhejiang's outbreak, plus scattered e-bike reports in five other provinces and a national
        // notice: the national rise is Zhejiang's, so the alert is regional, not systemic.
        let mut rng = ChaCha8Rng::seed_from_u64(18);
        let mut signals = zj_outbreak(&mut rng, 60, 6);
        for (p, province) in ["江苏省", "安徽省", "福建省", "江西省", "湖南省", "广东省"]
            .iter()
            .enumerate()
        {
            let id = format!("other{p}");
            signals.push(from_source(
                sig(
                    &id,
                    day(55 + p as i64 % 4),
                    "电动自行车",
                    "火灾",
                    4,
                    Some(province),
                ),
                &SOURCES[2],
            ));
        }
        let mut notice = from_source(
            sig("samr-warn", day(58), "电动自行车", "火灾", 4, Some("全国")),
            &SOURCES[6],
        );
        notice.source = "国家市场监督管理总局".into();
        signals.push(notice);
        let out = run(&signals, day(59));
        let e: Vec<&Alert> = out
            .alerts
            .iter()
            .filter(|a| a.category == "电动自行车")
            .collect();
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(
            (e[0].scope, e[0].regions[0].as_str()),
            (Scope::Regional, "浙江省")
        );
        assert!(term_of(e[0], "share_of_excess") >= 0.6);
        assert!(
            !out.dismissed
                .iter()
                .any(|a| a.category == "电动自行车" && a.scope == Scope::Systemic)
        );
    }

    #[test]
    fn unplaced_national_rise_without_spread_or_notice_is_only_recorded() {
        // Many media stories about toy choking that name no place, and no national notice: the
        // nation cell rises, but nothing says where to sample or whom to notify.
        let mut signals = Vec::new();
        for k in 0..12 {
            let src = &SOURCES[2 + k % 2];
            signals.push(from_source(
                sig(
                    &format!("toy{k}"),
                    day(50 + k as i64 % 5),
                    "玩具",
                    "窒息",
                    4,
                    None,
                ),
                src,
            ));
        }
        let out = run(&signals, day(55));
        assert!(out.alerts.is_empty(), "{:#?}", out.alerts);
        let rec = out.dismissed.iter().find(|a| a.category == "玩具").unwrap();
        assert_eq!((rec.scope, rec.action), (Scope::Systemic, Action::Dismiss));
        assert!(rec.summary.contains("未扩散"), "{}", rec.summary);
        // A national regulator notice on top turns the same rise into a systemic alert.
        let mut notice = from_source(
            sig("toy-notice", day(54), "玩具", "窒息", 4, Some("全国")),
            &SOURCES[6],
        );
        notice.kind = DocKind::Recall;
        signals.push(notice);
        let out = run(&signals, day(55));
        let a = out.alerts.iter().find(|a| a.category == "玩具").unwrap();
        assert_eq!(a.scope, Scope::Systemic);
        assert_eq!(a.regions, ["全国"]);
    }

    #[test]
    fn severity_modifiers_apply_to_the_cell() {
        // Analysis called these magnet-swallowing reports "一般" (2); the rules make them 4.
        let signals: Vec<Signal> = (0..4)
            .map(|k| {
                let mut s = sig(
                    &format!("mag{k}"),
                    day(20 + k),
                    "磁性玩具",
                    "误吞",
                    2,
                    Some("广东省"),
                );
                s.city = Some(["广州市", "深圳市"][k as usize % 2].into());
                from_source(s, &SOURCES[k as usize % 3])
            })
            .collect();
        let out = run(&signals, day(24));
        let a = out
            .alerts
            .iter()
            .chain(&out.dismissed)
            .find(|a| a.category == "磁性玩具")
            .unwrap();
        assert_eq!(term_of(a, "severity"), 4.0);
    }

    #[test]
    fn a_quiet_baseline_is_notified_not_sampled() {
        // Five heater shocks in four weeks, then seven in a week: far above a baseline taken at its
        // word (Poisson p ≈ 1e-4), but window + baseline = 12 with 7 in the window is what a steady
        // rate gives about once in 250 tries. Worth notifying; not yet worth buying samples.
        let srcs = ["12315平台", "黑猫投诉", "消费保", "市民热线"];
        let mut signals = Vec::new();
        for (k, d) in [25, 30, 35, 40, 45].into_iter().enumerate() {
            signals.push(sig(
                &format!("quiet{k}"),
                day(d),
                "电热毯",
                "触电",
                4,
                Some("河南省"),
            ));
        }
        for k in 0..7usize {
            let mut s = sig(
                &format!("rise{k}"),
                day(54 + k as i64),
                "电热毯",
                "触电",
                4,
                Some("河南省"),
            );
            s.source = srcs[k % 4].into();
            s.city = Some(["郑州市", "洛阳市", "南阳市"][k % 3].into());
            signals.push(s);
        }
        let out = run(&signals, day(60));
        assert_eq!(out.alerts.len(), 1, "{:#?}", out.alerts);
        let a = &out.alerts[0];
        assert!(term_of(a, "p_value") < 0.001 && term_of(a, "p_conditional") >= 0.001);
        assert!(a.level >= 3, "level {}", a.level);
        assert_eq!(a.action, Action::Notify, "{}", a.summary);
        assert!(a.summary.contains("条件检验"), "{}", a.summary);
        assert!(out.sampling.is_empty());
    }

    #[test]
    fn one_complaint_never_alerts() {
        let s = vec![sig("one", day(40), "电动自行车", "火灾", 4, Some("浙江省"))];
        let out = run(&s, day(41));
        assert!(out.alerts.is_empty() && out.sampling.is_empty());
        // It is on record, as a dismissed regional cell with its one cluster.
        let rec = out
            .dismissed
            .iter()
            .find(|a| a.scope == Scope::Regional)
            .unwrap();
        assert_eq!(rec.action, Action::Dismiss);
        assert_eq!(term_of(rec, "clusters"), 1.0);
        assert_eq!(rec.evidence, ["one"]);
    }

    #[test]
    fn reposted_story_counts_once() {
        let mut signals = Vec::new();
        for k in 0..10 {
            let src = &SOURCES[k % SOURCES.len()];
            let mut s = from_source(
                sig(
                    &format!("repost{k}"),
                    day(40 + k as i64 % 3),
                    "移动电源",
                    "爆炸",
                    4,
                    Some("广东省"),
                ),
                src,
            );
            s.cluster = "same-story".into();
            signals.push(s);
        }
        let out = run(&signals, day(43));
        assert!(out.alerts.is_empty(), "{:?}", out.alerts);
        let rec = out
            .dismissed
            .iter()
            .find(|a| a.scope == Scope::Regional)
            .unwrap();
        assert_eq!(term_of(rec, "clusters"), 1.0);
        assert_eq!(rec.evidence.len(), 1);
        // Counted once at its largest weight: regulator 1.0 × 1.5.
        assert!(
            (term_of(rec, "observed") - 1.5).abs() < 1e-6,
            "{}",
            term_of(rec, "observed")
        );
    }

    #[test]
    fn regional_outbreak_is_sampled_in_its_province() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut signals = noise(&mut rng, 90, &["电动自行车"]);
        signals.extend(zj_outbreak(&mut rng, 90, 6));
        let out = run(&signals, day(89));
        let ebike: Vec<&Alert> = out
            .alerts
            .iter()
            .filter(|a| a.category == "电动自行车")
            .collect();
        assert_eq!(ebike.len(), 1, "{ebike:#?}");
        let a = ebike[0];
        assert_eq!(a.scope, Scope::Regional);
        assert_eq!(a.regions, ["浙江省"]);
        assert_eq!(a.action, Action::Sample, "{}", a.summary);
        assert!(a.level >= 3);
        assert_eq!(a.id, alert_id("电动自行车", Scope::Regional, "浙江省"));
        assert!(
            a.summary.contains("浙江省") && a.summary.contains("抽检"),
            "{}",
            a.summary
        );
        assert!(
            out.dismissed
                .iter()
                .all(|d| !(d.category == "电动自行车" && d.scope == Scope::Systemic))
        );
        let req = out.sampling.iter().find(|r| r.alert_id == a.id).unwrap();
        assert_eq!(req.regions, ["浙江省"]);
        assert_eq!(req.test_items, ["阻燃性能", "过充保护"]);
        let plan = ScoringRules::load(None)
            .unwrap()
            .plan(a.level)
            .unwrap()
            .clone();
        assert_eq!(req.batches, plan.batches);
        assert_eq!(
            req.deadline,
            day(89) + chrono::Duration::days(i64::from(plan.deadline_days))
        );
        assert!(!req.shops.is_empty() && !req.platforms.is_empty() && !req.brands.is_empty());
        // The same outbreak three weeks earlier had not started: nothing for e-bikes then.
        let before = run(&signals, day(75));
        assert!(before.alerts.iter().all(|a| a.category != "电动自行车"));
    }

    #[test]
    fn breakdown_and_evidence_explain_the_alert() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let mut signals = zj_outbreak(&mut rng, 60, 6);
        // A provincial regulator's failed-inspection notice in the window, reposted by media.
        let mut notice = from_source(
            sig("notice", day(57), "电动自行车", "火灾", 4, Some("浙江省")),
            &SOURCES[6],
        );
        notice.kind = DocKind::Inspection;
        let mut repost = from_source(notice.clone(), &SOURCES[3]);
        repost.doc_id = "notice-repost".into();
        signals.push(notice);
        signals.push(repost);
        let out = run(&signals, day(59));
        let rules = ScoringRules::load(None).unwrap();
        let a = out
            .alerts
            .iter()
            .find(|a| a.category == "电动自行车")
            .unwrap();
        for name in [
            "observed",
            "expected",
            "excess_ratio",
            "p_value",
            "clusters",
            "sources",
            "channels",
            "severity",
            "likelihood",
            "level",
            "inspection",
            "regulator",
            "score",
        ] {
            assert!(
                a.breakdown
                    .iter()
                    .any(|t| t.name == name && !t.note.is_empty()),
                "missing {name}"
            );
        }
        let ratio = term_of(a, "observed") / term_of(a, "expected");
        assert!((term_of(a, "excess_ratio") - ratio).abs() < 1e-9);
        assert_eq!(term_of(a, "level"), f64::from(a.level));
        let (sev, lik) = (term_of(a, "severity") as u8, term_of(a, "likelihood") as u8);
        assert_eq!(rules.level(sev, lik), a.level);
        assert_eq!(term_of(a, "inspection"), 1.0);
        // One document per cluster, the regulator's notice first among equal severities.
        assert_eq!(a.evidence.first().map(String::as_str), Some("notice"));
        assert!(!a.evidence.iter().any(|e| e == "notice-repost"));
        let clusters: HashSet<&str> = a
            .evidence
            .iter()
            .map(|e| cluster_of(signals.iter().find(|s| &s.doc_id == e).unwrap()))
            .collect();
        assert_eq!(clusters.len(), a.evidence.len());
        assert_eq!(
            a.evidence.len() as f64,
            term_of(a, "clusters").min(rules.alert.max_evidence as f64)
        );
    }

    #[test]
    fn an_alert_carries_its_days_against_the_band_and_its_reasons() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let signals = zj_outbreak(&mut rng, 60, 6);
        let out = run(&signals, day(59));
        let a = out
            .alerts
            .iter()
            .find(|a| a.category == "电动自行车")
            .unwrap();
        let rules = ScoringRules::load(None).unwrap();
        let p = aggregate::Periods::new(&rules.window, day(59));
        // every day of baseline, guard and window, in order, the window's last
        assert_eq!(a.daily.len(), p.len());
        assert_eq!(a.daily.first().map(|d| d.day), Some(p.baseline_start));
        assert_eq!(a.daily.last().map(|d| d.day), Some(day(59)));
        assert_eq!(
            a.daily.iter().filter(|d| d.window).count(),
            p.window_days as usize
        );
        assert!(a.daily.windows(2).all(|w| w[0].day < w[1].day));
        for d in a.daily.iter().filter(|d| !d.excluded) {
            assert!(
                d.low <= d.expected && d.expected <= d.high.max(d.expected),
                "{d:?}"
            );
            assert!(d.low >= 0.0 && d.observed >= 0.0, "{d:?}");
        }
        // the window's counts add up to the breakdown's observed, and the outbreak rises out of
        // the band
        let window: f64 = a
            .daily
            .iter()
            .filter(|d| d.window)
            .map(|d| d.observed)
            .sum();
        assert!((window - term_of(a, "observed")).abs() < 1e-3, "{window}");
        assert!(a.daily.iter().any(|d| d.window && d.observed > d.high));
        // the reasons: one sentence each, the p-value as the page writes it
        assert!(a.reasons.len() >= 4, "{:?}", a.reasons);
        for r in &a.reasons {
            assert!(r.ends_with('。') && r.matches('。').count() == 1, "{r}");
        }
        let p_text = stats::format_p(term_of(a, "p_value"));
        assert!(
            a.reasons.iter().any(|r| r.contains(&format!("p={p_text}"))),
            "{:?}",
            a.reasons
        );
    }

    #[test]
    fn systemic_problem_is_one_alert() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let mut signals = noise(&mut rng, 90, &[]);
        let hit = [
            "北京市",
            "河北省",
            "江苏省",
            "浙江省",
            "安徽省",
            "山东省",
            "河南省",
            "广东省",
            "四川省",
        ];
        for (p, province) in hit.iter().enumerate() {
            for k in 0..3 {
                let src = &SOURCES[(p + k) % 5];
                let id = format!("pb-{p}-{k}");
                signals.push(from_source(
                    sig(
                        &id,
                        day(84 + (p + k) as i64 % 6),
                        "移动电源",
                        "火灾",
                        4,
                        Some(province),
                    ),
                    src,
                ));
            }
        }
        let mut notice = from_source(
            sig("samr", day(88), "移动电源", "火灾", 4, Some("全国")),
            &SOURCES[6],
        );
        notice.source = "国家市场监督管理总局".into();
        notice.kind = DocKind::Recall;
        signals.push(notice);
        let out = run(&signals, day(89));
        let pb: Vec<&Alert> = out
            .alerts
            .iter()
            .filter(|a| a.category == "移动电源")
            .collect();
        assert_eq!(pb.len(), 1, "{pb:#?}");
        let a = pb[0];
        assert_eq!(a.scope, Scope::Systemic);
        assert_eq!(a.action, Action::Sample, "{}", a.summary);
        assert_eq!(a.regions[0], "全国");
        for p in hit {
            assert!(
                a.regions.iter().any(|r| r == p),
                "{p} missing from {:?}",
                a.regions
            );
        }
        assert_eq!(a.id, alert_id("移动电源", Scope::Systemic, "全国"));
        assert!(a.evidence.contains(&"samr".to_string()));
        assert!(a.summary.contains("国家级监管通报"), "{}", a.summary);
        // Folded: no provincial record of the category, alert or dismissed.
        assert!(!out.dismissed.iter().any(|d| d.category == "移动电源"));
        assert_eq!(
            out.sampling
                .iter()
                .filter(|r| r.category == "移动电源")
                .count(),
            1
        );
    }

    /// Three complaints about scalding kettles in one city, all through one complaint platform.
    fn kettle_cluster(first: i64) -> Vec<Signal> {
        (0..3)
            .map(|k| {
                let mut s = sig(
                    &format!("kettle{k}"),
                    day(first + k),
                    "电热水壶",
                    "烫伤/烧伤",
                    3,
                    Some("浙江省"),
                );
                s.city = Some("杭州市".into());
                s.parties.shops = vec!["暖居小家电店".into()];
                s
            })
            .collect()
    }

    #[test]
    fn local_cluster_is_notified_with_its_city() {
        let mut rng = ChaCha8Rng::seed_from_u64(14);
        let mut signals = noise(&mut rng, 60, &["电热水壶"]);
        signals.extend(kettle_cluster(55));
        let out = run(&signals, day(58));
        let k: Vec<&Alert> = out
            .alerts
            .iter()
            .filter(|a| a.category == "电热水壶")
            .collect();
        assert_eq!(k.len(), 1, "{k:#?}");
        assert_eq!(k[0].action, Action::Notify);
        assert_eq!(k[0].scope, Scope::Regional);
        assert_eq!(k[0].regions, ["浙江省", "杭州市"]);
        assert!(k[0].summary.contains("浙江省杭州市"), "{}", k[0].summary);
        assert!(out.sampling.iter().all(|r| r.category != "电热水壶"));
    }

    #[test]
    fn ids_are_stable_and_status_follows_the_level() {
        let a_day = 58;
        let mut signals = kettle_cluster(a_day - 3);
        let first = run(&signals, day(a_day));
        assert_eq!(first.alerts.len(), 1);
        let a = first.alerts[0].clone();
        assert_eq!(
            (a.status, a.first_seen, a.action),
            (AlertStatus::New, day(a_day), Action::Notify)
        );

        // Three days later: burns in four more cities of the province from several sources.
        for k in 0..8 {
            let mut s = sig(
                &format!("burn{k}"),
                day(a_day + 1 + k % 3),
                "电热水壶",
                "烫伤/烧伤",
                3,
                Some("浙江省"),
            );
            s.city = Some(ZJ_CITIES[1 + k as usize % 4].into());
            signals.push(from_source(s, &SOURCES[k as usize % 5]));
        }
        let second = run_with(&signals, day(a_day + 3), &HashSet::new(), &first.alerts);
        assert_eq!(second.alerts.len(), 1, "{:#?}", second.alerts);
        let b = &second.alerts[0];
        assert_eq!(b.id, a.id);
        assert!(b.level > a.level, "{} → {}", a.level, b.level);
        assert_eq!(b.status, AlertStatus::Escalated);
        assert_eq!(b.first_seen, day(a_day));
        assert_eq!(b.updated, day(a_day + 3));

        // Same state scored again the next day: same id, ongoing, still first seen on day A.
        let third = run_with(&signals, day(a_day + 4), &HashSet::new(), &second.alerts);
        let c = third.alerts.iter().find(|x| x.id == a.id).unwrap();
        assert_eq!(c.first_seen, day(a_day));
        assert_eq!(
            c.status,
            if c.level == b.level && c.action == b.action {
                AlertStatus::Ongoing
            } else {
                AlertStatus::Deescalated
            }
        );

        // Weeks later the window has moved past it: a lower or no alert — or, within the hold
        // (issue 46), the same alert held as it was — never "new" with history.
        let later = run_with(&signals, day(a_day + 9), &HashSet::new(), &third.alerts);
        for x in later
            .alerts
            .iter()
            .chain(&later.dismissed)
            .filter(|x| x.id == a.id)
        {
            assert_eq!(x.first_seen, day(a_day));
            let held = x.breakdown.iter().any(|t| t.name == "held_days");
            assert!(
                x.status == AlertStatus::Deescalated || (held && x.status == AlertStatus::Ongoing),
                "{:?} held {held}",
                x.status
            );
        }
    }

    #[test]
    fn sampling_request_skips_parties_already_sampled() {
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        let signals = zj_outbreak(&mut rng, 60, 6);
        let all = run(&signals, day(59));
        let req = &all.sampling[0];
        assert!(req.shops.contains(&"速达车行".to_string()), "{req:?}");
        assert!(req.brands.contains(&"疾风".to_string()), "{req:?}");
        let sampled: HashSet<String> = ["速达车行", "疾风", "台州某某车业有限公司"]
            .map(String::from)
            .into();
        let out = run_with(&signals, day(59), &sampled, &[]);
        let req2 = &out.sampling[0];
        assert_eq!(req2.alert_id, req.alert_id);
        for s in &sampled {
            assert!(
                !req2.shops.contains(s)
                    && !req2.brands.contains(s)
                    && !req2.enterprises.contains(s)
            );
        }
        assert_eq!(req2.shops.len(), req.shops.len() - 1);
        assert_eq!(req2.brands.len(), req.brands.len() - 1);
        assert!(req2.enterprises.is_empty());
        assert_eq!(
            req2.platforms, req.platforms,
            "platforms are where to buy, never excluded"
        );
    }

    #[test]
    fn inspection_evidence_only_raises() {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        let scenarios: Vec<(Vec<Signal>, NaiveDate, &str)> = vec![
            (kettle_cluster(55), day(58), "电热水壶"),
            (zj_outbreak(&mut rng, 60, 6), day(59), "电动自行车"),
            (zj_outbreak(&mut rng, 60, 2), day(59), "电动自行车"),
        ];
        for (base, as_of, category) in scenarios {
            let id = alert_id(category, Scope::Regional, "浙江省");
            let before = run(&base, as_of);
            let find = |o: &ScoreOutput| {
                o.alerts
                    .iter()
                    .chain(&o.dismissed)
                    .find(|a| a.id == id)
                    .cloned()
            };
            let b = find(&before).unwrap();
            for n in 1..4 {
                let mut with = base.clone();
                for k in 0..n {
                    // A failed provincial inspection, mild hazard: it must not lower anything.
                    let mut s = sig(
                        &format!("insp{k}"),
                        as_of - chrono::Duration::days(k),
                        category,
                        "标志说明不合格",
                        1,
                        Some("浙江省"),
                    );
                    s = from_source(s, &SOURCES[6]);
                    s.kind = DocKind::Inspection;
                    with.push(s);
                }
                let after = run(&with, as_of);
                let a = find(&after).unwrap();
                assert!(
                    a.level >= b.level,
                    "{category} n={n}: level {} → {}",
                    b.level,
                    a.level
                );
                assert!(
                    a.action >= b.action,
                    "{category} n={n}: {:?} → {:?}",
                    b.action,
                    a.action
                );
                assert!(term_of(&a, "likelihood") >= term_of(&b, "likelihood"));
                assert!(a.score >= b.score);
                assert_eq!(term_of(&a, "inspection"), 1.0);
            }
        }
    }

    fn inspection(
        alert: &str,
        batch: &str,
        passed: bool,
        on: NaiveDate,
    ) -> crate::store::InspectionResult {
        crate::store::InspectionResult {
            alert_id: alert.into(),
            batch: batch.into(),
            party: "速达车行".into(),
            item: "阻燃性能".into(),
            passed,
            note: String::new(),
            inspected_on: on,
        }
    }

    fn run_inspected(
        signals: &[Signal],
        as_of: NaiveDate,
        inspections: &[crate::store::InspectionResult],
    ) -> ScoreOutput {
        let rules = ScoringRules::load(None).unwrap();
        score(
            &rules,
            &ScoreInput {
                signals,
                as_of,
                sampled: &HashSet::new(),
                test_items: &items,
                previous: &[],
                inspections,
                outages: &[],
            },
        )
    }

    #[test]
    fn all_pass_inspection_lowers_never_raises_and_a_failure_keeps_sampling() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let mut scenarios = vec![
            (zj_outbreak(&mut rng, 60, 6), day(59), "电动自行车"),
            (zj_outbreak(&mut rng, 60, 4), day(59), "电动自行车"),
            (kettle_cluster(55), day(58), "电热水壶"),
        ];
        let mut lowered = 0;
        for (signals, as_of, category) in scenarios.drain(..) {
            let id = alert_id(category, Scope::Regional, "浙江省");
            let before = run(&signals, as_of);
            let Some(b) = before.alerts.iter().find(|a| a.id == id) else {
                continue;
            };
            let passes: Vec<_> = (0..3)
                .map(|k| {
                    inspection(
                        &id,
                        &format!("B{k}"),
                        true,
                        as_of - chrono::Duration::days(1),
                    )
                })
                .collect();
            let after = run_inspected(&signals, as_of, &passes);
            let a = after
                .alerts
                .iter()
                .chain(&after.dismissed)
                .find(|a| a.id == id)
                .unwrap();
            assert!(a.level <= b.level && a.action <= b.action && a.score <= b.score);
            if b.action == Action::Sample {
                assert_eq!(a.action, Action::Notify, "{}", a.summary);
                assert!(!after.sampling.iter().any(|r| r.alert_id == id));
                lowered += 1;
            }
            assert_eq!(term_of(a, "inspection_effect"), -1.0);
            assert_eq!(term_of(a, "inspection_batches"), 3.0);
            assert!(a.summary.contains("全部合格"), "{}", a.summary);

            // One failed batch among passes: never lower than without results, sampled if the
            // level allows.
            let mut mixed = passes.clone();
            mixed.push(inspection(&id, "B9", false, as_of));
            let after = run_inspected(&signals, as_of, &mixed);
            let a = after.alerts.iter().find(|a| a.id == id).unwrap();
            assert!(a.level >= b.level && a.action >= b.action);
            assert_eq!(term_of(a, "inspection_effect"), 1.0);
            if a.level >= 3 {
                assert_eq!(a.action, Action::Sample);
            }
            // Results of another alert or long ago change nothing.
            let old = [inspection(
                &id,
                "B0",
                true,
                as_of - chrono::Duration::days(400),
            )];
            let other = [inspection("other", "B0", true, as_of)];
            for r in [&old[..], &other[..]] {
                let same = run_inspected(&signals, as_of, r);
                let a = same.alerts.iter().find(|a| a.id == id).unwrap();
                assert_eq!((a.level, a.action), (b.level, b.action));
            }
        }
        assert!(lowered >= 1, "no sampled alert to lower");
    }

    #[test]
    fn a_table_scores_like_its_signals() {
        let mut rng = ChaCha8Rng::seed_from_u64(22);
        let mut signals = noise(&mut rng, 90, &["电动自行车"]);
        signals.extend(zj_outbreak(&mut rng, 90, 6));
        let from_signals = run(&signals, day(89));
        let rules = ScoringRules::load(None).unwrap();
        let table = crate::store::signals::to_table(&signals);
        let from_table = score_frame(
            &rules,
            table,
            &FrameInput {
                as_of: day(89),
                sampled: &HashSet::new(),
                test_items: &items,
                previous: &[],
                inspections: &[],
                outages: &[],
            },
        )
        .unwrap();
        let key = |o: &ScoreOutput| -> Vec<(String, u8, Action)> {
            o.alerts
                .iter()
                .chain(&o.dismissed)
                .map(|a| (a.id.clone(), a.level, a.action))
                .collect()
        };
        assert_eq!(key(&from_signals), key(&from_table));
        assert!(!from_table.alerts.is_empty());
        // Parties come only with signals: the table has none to propose.
        let req = from_signals.sampling.first().unwrap();
        assert!(!req.shops.is_empty());
        assert!(from_table.sampling.iter().all(|r| r.shops.is_empty()));
    }

    #[test]
    fn replay_reports_each_change_on_its_day() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let mut signals = noise(&mut rng, 120, &["电动自行车"]);
        // The outbreak ends on day 89; the table goes on to day 119.
        signals.extend(zj_outbreak(&mut rng, 90, 6));
        let rules = ScoringRules::load(None).unwrap();
        let table = crate::store::signals::to_table(&signals);
        let r = replay(&rules, table, None, None, &items).unwrap();
        assert_eq!(r.from, Some(day(36)), "first day with a full baseline");
        assert_eq!(r.to, Some(day(119)));
        let id = alert_id("电动自行车", Scope::Regional, "浙江省");
        let ebike: Vec<&AlertChange> = r.changes.iter().filter(|c| c.alert_id == id).collect();
        let new = ebike.iter().find(|c| c.change == Change::New).unwrap();
        assert!(new.day >= day(84) && new.day <= day(89), "{new:?}");
        assert!(ebike.iter().any(|c| c.action == Action::Sample));
        let closed = ebike.iter().find(|c| c.change == Change::Closed).unwrap();
        assert!(closed.day > day(89) && closed.day <= day(100), "{closed:?}");
        // Every day's changes agree with a single run of that day.
        let single = run(&signals, new.day);
        let a = single.alerts.iter().find(|a| a.id == id).unwrap();
        assert_eq!(a.level, new.level);
        for w in r.changes.windows(2) {
            assert!(w[0].day <= w[1].day);
        }
    }

    #[test]
    fn many_signals_score_in_one_pass_and_rank() {
        // 100k signals of dense background (about 1.8 a day per category and province) over
        // 90 days, a tenth reposted, plus the Zhejiang outbreak.
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        let mut signals = Vec::with_capacity(110_000);
        let mut n = 0;
        while signals.len() < 100_000 {
            let &(category, hazard, sev) = CATEGORIES[1..].choose(&mut rng).unwrap();
            let province = PROVINCES.choose(&mut rng).unwrap();
            let d = rng.random_range(0..90);
            let src = SOURCES.choose(&mut rng).unwrap();
            let s = from_source(
                sig(
                    &format!("d{n}"),
                    day(d),
                    category,
                    hazard,
                    sev,
                    Some(province),
                ),
                src,
            );
            if rng.random_bool(0.1) {
                let mut copy = from_source(s.clone(), SOURCES.choose(&mut rng).unwrap());
                copy.doc_id = format!("d{n}-r");
                signals.push(copy);
            }
            signals.push(s);
            n += 1;
        }
        signals.extend(zj_outbreak(&mut rng, 90, 6));
        assert!(signals.len() >= 100_000);
        let out = run(&signals, day(89));
        for w in out.alerts.windows(2) {
            assert!(
                (w[0].level, w[0].score) >= (w[1].level, w[1].score),
                "not ranked"
            );
        }
        let samples = out
            .alerts
            .iter()
            .filter(|a| a.action == Action::Sample)
            .count();
        assert_eq!(samples, out.sampling.len());
        assert!(
            out.alerts
                .iter()
                .any(|a| a.category == "电动自行车" && a.regions[0] == "浙江省")
        );
        let max = ScoringRules::load(None).unwrap().alert.max_evidence;
        assert!(
            out.alerts
                .iter()
                .chain(&out.dismissed)
                .all(|a| a.evidence.len() <= max)
        );
    }

    /// By hand, n = 4 provinces with p = 0.01, 0.02, 0.03, 0.5 and k from 2:
    /// k = 2: P(Bin(4, 0.02) ≥ 2) = 1 − 0.98⁴ − 4·0.02·0.98³ = 0.00233648;
    /// k = 3: P(Bin(4, 0.03) ≥ 3) = 4·0.03³·0.97 + 0.03⁴ = 0.00010557;
    /// k = 4: P(Bin(4, 0.5) ≥ 4) = 0.0625. The smallest, k = 3, × 3 tries = 0.00031671.
    #[test]
    fn the_combined_test_matches_hand_computed_values() {
        let (p, k) = combined_p_value(vec![0.5, 0.02, 0.01, 0.03], 2);
        assert_eq!(k, 3);
        assert!((p - 0.00031671).abs() < 1e-8, "{p}");
        // Too few provinces for the minimum: nothing to combine.
        assert_eq!(combined_p_value(vec![0.001], 2), (1.0, 0));
        // Uniform p-values are no evidence.
        let uniform: Vec<f64> = (1..=31).map(|i| f64::from(i) / 32.0).collect();
        assert!(combined_p_value(uniform, 4).0 > 0.5);
    }
}
