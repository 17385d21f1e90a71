//! The published operating characteristic of issue 46 (`jiance score --evaluate-sim`): on a
//! simulated year (`super::sim`) chosen by its seed, jiance's operating point — at the configured
//! rules and at other notify budgets — beside the oracle's curve (`super::oracle`: a detector that
//! knows the true baselines, its threshold swept), both counted alike: false alerts of any action
//! per category-year against detection, median delay and scope. This module owns the choice of
//! the year and the pairing of the points; the simulation, the replay and the oracle compute the
//! rest, so the figures printed are the ones the simulation tests hold.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::oracle::{self, Point};
use super::sim::{self, Disturbances, Outbreak};
use super::{AlertChange, Outage, ScoreError, ScoringRules, Table};

/// Which kind of simulated year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum YearKind {
    /// Issue 23's: weak outbreaks (1.2–4× a province's level), 618 and 双十一, 春节 and 国庆, one
    /// complaint platform silent for ten days.
    Hard,
    /// Issue 6's: outbreaks 2–5×, no disturbance.
    Clean,
}

impl YearKind {
    pub fn describe(self) -> &'static str {
        match self {
            YearKind::Hard => {
                "hard year: 40 regional and 10 systemic outbreaks at 1.2–4×, 618 and 双十一, 春节 and \
                 国庆, a complaint platform silent for ten days"
            }
            YearKind::Clean => {
                "clean year: 40 regional and 10 systemic outbreaks at 2–5×, no disturbance"
            }
        }
    }
}

/// A simulated year: 30 categories × 31 provinces, its rates, outbreaks and disturbances drawn
/// from the seed.
pub struct Year {
    pub seed: u64,
    pub kind: YearKind,
    pub rates: Vec<Vec<f64>>,
    pub injected: Vec<Outbreak>,
    pub dist: Disturbances,
}

impl Year {
    pub fn new(seed: u64, kind: YearKind) -> Year {
        let (rates, injected, dist) = match kind {
            YearKind::Hard => sim::hard_year(seed),
            YearKind::Clean => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let rates = sim::rates(&mut rng);
                let injected = sim::outbreaks(&mut rng);
                (rates, injected, Disturbances::default())
            }
        };
        Year {
            seed,
            kind,
            rates,
            injected,
            dist,
        }
    }

    /// The silent platform's days, as source health hands them to the scorer in service.
    pub fn outages(&self) -> Vec<Outage> {
        self.dist
            .outage
            .iter()
            .map(|o| Outage {
                source: Some(sim::SOURCES[o.source].0.to_string()),
                channel: None,
                from: sim::day0() + chrono::Duration::days(o.start),
                to: sim::day0() + chrono::Duration::days(o.start + o.days - 1),
                reason: "stale".into(),
            })
            .collect()
    }
}

/// A year's signals, generated once, for jiance's replays and the oracle's scan.
pub struct Evaluation {
    year: Year,
    table: Table,
    /// (category, province, day) of each story, by its first published copy.
    stories: Vec<(usize, usize, i64)>,
}

impl Evaluation {
    pub fn new(year: Year) -> Result<Evaluation, ScoreError> {
        let mut rng = ChaCha8Rng::seed_from_u64(year.seed);
        let signals = sim::generate_disturbed(&mut rng, &year.rates, &year.injected, &year.dist);
        let stories = signals.story_days();
        let table = super::load_frame(signals.table())?;
        Ok(Evaluation {
            year,
            table,
            stories,
        })
    }

    pub fn year(&self) -> &Year {
        &self.year
    }

    /// jiance's replay of the year under `rules`: its operating point and its alert changes.
    pub fn jiance(&self, rules: &ScoringRules) -> Result<(Point, Vec<AlertChange>), ScoreError> {
        // The simulation's hazards have no test items of their own; one per hazard is enough
        // for the sampling requests, which the figures do not read.
        let items = |h: &str| vec![format!("{h}检测")];
        let outages = self.year.outages();
        let run = super::replay_table(rules, &self.table, None, None, &items, &outages)?;
        let point = oracle::measure(
            &self.year.injected,
            &run.changes,
            sim::replayed_days(rules),
            i64::from(rules.window.window_days),
        );
        // What a change of the rules should look at first (`-vv`).
        let found = sim::evaluate(&self.year.injected, &run.changes);
        tracing::debug!(
            seed = self.year.seed,
            missed = ?found.missed,
            wrong_scope = ?found.wrong_scope,
            "outbreaks jiance missed or scoped wrong"
        );
        tracing::debug!(
            seed = self.year.seed,
            budget = rules.action.notify_budget,
            "false raises: {}",
            oracle::false_breakdown(
                &self.year.injected,
                &run.changes,
                &self.year.dist,
                i64::from(rules.window.window_days)
            )
        );
        Ok((point, run.changes))
    }

    /// The oracle's curve over the days jiance scores under `rules`.
    pub fn oracle(&self, rules: &ScoringRules) -> Vec<Point> {
        let scored_days = sim::replayed_days(rules);
        let mut scan = oracle::scan(
            &self.stories,
            &sim::expected_stories(&self.year.rates, &self.year.dist),
            sim::DAYS - scored_days,
        );
        scan.hold_days = rules.action.hold_days as usize;
        scan.curve(&self.year.injected, i64::from(rules.window.window_days))
    }
}

/// jiance at one setting, and the oracle at no more false alerts.
#[derive(Debug, Clone, Serialize)]
pub struct Operating {
    /// `[action] notify_budget` of the replay.
    pub notify_budget: f64,
    /// The rules as configured (not a budget tried in their place).
    pub configured: bool,
    pub jiance: Point,
    /// The oracle's best point at no more false alerts than jiance's (none: the oracle has none
    /// that low).
    pub oracle_at_rate: Option<Point>,
}

/// One seed's figures: jiance's points and the oracle's curve.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub seed: u64,
    pub kind: YearKind,
    pub outbreaks: usize,
    pub jiance: Vec<Operating>,
    pub oracle: Vec<Point>,
}

impl SeedReport {
    /// The configured operating point.
    pub fn configured(&self) -> Option<&Operating> {
        self.jiance.iter().find(|o| o.configured)
    }
}

/// The steps [`evaluate_seed`] reports to `progress`: generating the year, the oracle, and one
/// replay per setting.
pub fn steps(budgets: &[f64]) -> u64 {
    3 + budgets.len() as u64
}

/// Evaluate one seed: jiance under `rules` and under each of `budgets` in place of its notify
/// budget, and the oracle's curve. `progress` hears of each step before it starts.
pub fn evaluate_seed(
    rules: &ScoringRules,
    seed: u64,
    kind: YearKind,
    budgets: &[f64],
    progress: &mut dyn FnMut(&str),
) -> Result<SeedReport, ScoreError> {
    progress(&format!("seed {seed}: generating the year"));
    let eval = Evaluation::new(Year::new(seed, kind))?;
    progress(&format!("seed {seed}: the oracle's scan"));
    let curve = eval.oracle(rules);
    let mut settings = vec![(rules.action.notify_budget, true)];
    settings.extend(budgets.iter().map(|&b| (b, false)));
    let mut jiance = Vec::with_capacity(settings.len());
    for (budget, configured) in settings {
        progress(&format!("seed {seed}: jiance at notify_budget {budget}"));
        let mut r = rules.clone();
        r.action.notify_budget = budget;
        let (point, _) = eval.jiance(&r)?;
        tracing::debug!(seed, budget, %point, "jiance on the simulated year");
        jiance.push(Operating {
            notify_budget: budget,
            configured,
            jiance: point,
            oracle_at_rate: oracle::at_rate(&curve, point.false_per_category_year),
        });
    }
    Ok(SeedReport {
        seed,
        kind,
        outbreaks: eval.year().injected.len(),
        jiance,
        oracle: curve,
    })
}
