//! The simulation tests of issues 6, 21 and 23 (test only): the replay of a simulated year
//! (`super::sim`) with and without its injected outbreaks, matched to them — detection, delay,
//! scope, false `sample` alerts and alert fatigue — and the tests that hold those figures.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::sim::*;
use super::*;

fn items(h: &str) -> Vec<String> {
    vec![format!("{h}检测")]
}

/// A year's figures: what the replay of the background alone and of the background with the
/// outbreaks made of them.
#[derive(Debug)]
pub struct Figures {
    pub outbreaks: usize,
    pub found: Found,
    pub median_delay: i64,
    /// `sample` alerts (new or escalated) on the background alone, by category.
    pub false_samples: BTreeMap<String, usize>,
    /// New alerts of any action on the background alone.
    pub new_on_background: usize,
    /// Detected / injected by outbreak factor: below 1.5, 1.5–2, 2 and above.
    pub by_factor: [(usize, usize); 3],
    /// What an analyst dismissing every false sample alert still sees (issue 21).
    pub fatigue: Fatigue,
}

/// Alert fatigue (issue 21), per category-year of replayed days: alerts raised (new), false
/// `sample` raises, and the cases those alerts fall in (alerts of one category and region less
/// than the case gap apart are one case), before and after an analyst dismisses every false
/// sample alert the day it is raised (`fatigue::apply_dismissals`); detection after dismissals
/// counts only alerts the analyst still sees.
#[derive(Debug, Default)]
pub struct Fatigue {
    pub alerts: (f64, f64),
    pub false_samples: (f64, f64),
    pub cases: (f64, f64),
    pub detection: (f64, f64),
}

/// Raises (new alerts), false sample raises and cases of a change stream.
fn burden(changes: &[AlertChange], gap_days: i64) -> (usize, usize, usize) {
    let new = changes.iter().filter(|c| c.change == Change::New).count();
    let false_samples = changes
        .iter()
        .filter(|c| {
            c.action == Action::Sample && matches!(c.change, Change::New | Change::Escalated)
        })
        .count();
    let mut last: BTreeMap<(String, String), NaiveDate> = BTreeMap::new();
    let mut cases = 0;
    for c in changes.iter().filter(|c| c.change == Change::New) {
        let key = (
            c.category.clone(),
            c.regions.first().cloned().unwrap_or_default(),
        );
        if last
            .get(&key)
            .is_none_or(|d| (c.day - *d).num_days() > gap_days)
        {
            cases += 1;
        }
        last.insert(key, c.day);
    }
    (new, false_samples, cases)
}

fn fatigue(
    quiet: &[AlertChange],
    run: &[AlertChange],
    injected: &[Outbreak],
    window: i64,
    per_year: f64,
) -> Fatigue {
    // the review rules' defaults: a case gap of 60 days, dismissals holding 30
    const GAP: i64 = 60;
    const HOLD: u32 = 30;
    let (seen_quiet, suppressed) = super::fatigue::apply_dismissals(quiet, |_| true, HOLD);
    eprintln!("dismissals held back {suppressed} raise(s) of false sample alerts");
    let (seen_run, _) =
        super::fatigue::apply_dismissals(run, |c| !explained(injected, c, window), HOLD);
    let before = burden(quiet, GAP);
    let after = burden(&seen_quiet, GAP);
    let rate = |n: usize| n as f64 * per_year;
    let det = |changes: &[AlertChange]| {
        evaluate(injected, changes).detected as f64 / injected.len().max(1) as f64
    };
    // A dismissed alert is not acted on: for detection it ends the day it is dismissed.
    let acted: Vec<AlertChange> = seen_run
        .iter()
        .map(|c| {
            let dismissed = c.action == Action::Sample
                && matches!(c.change, Change::New | Change::Escalated)
                && !explained(injected, c, window);
            let mut c = c.clone();
            if dismissed {
                c.change = Change::Closed;
            }
            c
        })
        .collect();
    Fatigue {
        alerts: (rate(before.0), rate(after.0)),
        false_samples: (rate(before.1), rate(after.1)),
        cases: (rate(before.2), rate(after.2)),
        detection: (det(run), det(&acted)),
    }
}

impl Figures {
    pub fn detection(&self) -> f64 {
        self.found.detected as f64 / self.outbreaks as f64
    }

    pub fn right_scope(&self) -> f64 {
        self.found.right_scope as f64 / self.outbreaks as f64
    }

    /// False `sample` alerts per category and year of replayed days.
    pub fn false_per_category_year(&self, replayed_days: i64) -> f64 {
        let total: usize = self.false_samples.values().sum();
        total as f64 / CATEGORIES.len() as f64 * 365.0 / replayed_days as f64
    }
}

/// Replay the background alone and with the outbreaks, with `dist` on both, and match; source
/// health hands the silent platform's days in as the service would.
pub fn measure(
    rules: &ScoringRules,
    rates: &[Vec<f64>],
    injected: &[Outbreak],
    dist: &Disturbances,
    label: &str,
) -> Figures {
    let outages: Vec<Outage> = dist
        .outage
        .iter()
        .map(|o| Outage {
            source: Some(SOURCES[o.source].0.to_string()),
            channel: None,
            from: day0() + chrono::Duration::days(o.start),
            to: day0() + chrono::Duration::days(o.start + o.days - 1),
            reason: "stale".into(),
        })
        .collect();
    measure_with(rules, rates, injected, dist, &outages, label)
}

/// [`measure`] with the outages handed to the scorer given.
pub fn measure_with(
    rules: &ScoringRules,
    rates: &[Vec<f64>],
    injected: &[Outbreak],
    dist: &Disturbances,
    outages: &[Outage],
    label: &str,
) -> Figures {
    let started = std::time::Instant::now();
    let mut bg_rng = ChaCha8Rng::seed_from_u64(7);
    let background = generate_disturbed(&mut bg_rng, rates, &[], dist);
    let rows = background.rows();
    assert!(rows > 1_000_000, "background too thin: {rows}");
    let quiet = replay_with(rules, background.table(), None, None, &items, outages).unwrap();
    let mut false_samples: BTreeMap<String, usize> = BTreeMap::new();
    for c in &quiet.changes {
        if c.action == Action::Sample && matches!(c.change, Change::New | Change::Escalated) {
            *false_samples.entry(c.category.clone()).or_default() += 1;
        }
    }
    let new_on_background = quiet
        .changes
        .iter()
        .filter(|c| c.change == Change::New)
        .count();
    let mut ob_rng = ChaCha8Rng::seed_from_u64(7);
    let with = generate_disturbed(&mut ob_rng, rates, injected, dist);
    let run = replay_with(rules, with.table(), None, None, &items, outages).unwrap();
    let found = evaluate(injected, &run.changes);
    let mut delays = found.delays.clone();
    delays.sort();
    let median_delay = delays.get(delays.len() / 2).copied().unwrap_or(i64::MAX);
    let band = |f: f64| usize::from(f >= 1.5) + usize::from(f >= 2.0);
    let mut by_factor = [(0, 0); 3];
    for o in injected {
        by_factor[band(o.factor)].1 += 1;
    }
    for o in &found.detected_outbreaks {
        by_factor[band(injected[*o].factor)].0 += 1;
    }
    let per_year = 365.0 / (CATEGORIES.len() as f64 * replayed_days(rules) as f64);
    let fatigue = fatigue(
        &quiet.changes,
        &run.changes,
        injected,
        i64::from(rules.window.window_days),
        per_year,
    );
    eprintln!("{label}: alert fatigue per category-year (before → after dismissals): {fatigue:?}");
    let figures = Figures {
        outbreaks: injected.len(),
        found,
        median_delay,
        false_samples,
        new_on_background,
        by_factor,
        fatigue,
    };
    let festivals: Vec<&str> = dist.festivals.iter().map(|f| f.name).collect();
    eprintln!(
        "{label} (festivals {festivals:?}, outage {:?}): {rows} background rows, {:.0} s; detected {}/{} ({:.2}), by factor <1.5 / 1.5–2 / ≥2: \
         {:?}; median delay {} days (delays {delays:?}); right scope {}/{} ({:.2}); false samples on \
         background {:.2} per category-year ({:?}); new alerts on background {}; missed: {:#?}; \
         wrong scope: {:#?}",
        dist.outage,
        started.elapsed().as_secs_f64(),
        figures.found.detected,
        figures.outbreaks,
        figures.detection(),
        figures.by_factor,
        figures.median_delay,
        figures.found.right_scope,
        figures.outbreaks,
        figures.right_scope(),
        figures.false_per_category_year(replayed_days(rules)),
        figures.false_samples,
        figures.new_on_background,
        figures.found.missed,
        figures.found.wrong_scope
    );
    figures
}

#[test]
fn a_simulated_year_finds_outbreaks_early_and_stays_quiet_on_background() {
    let rules = ScoringRules::load(None).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let rates = rates(&mut rng);
    let injected = outbreaks(&mut rng);
    assert_eq!(injected.len(), 50);
    let f = measure(
        &rules,
        &rates,
        &injected,
        &Disturbances::default(),
        "clean year",
    );
    assert!(f.detection() >= 0.9, "detected {}", f.found.detected);
    assert!(f.median_delay <= 2, "median delay {}", f.median_delay);
    assert!(
        f.right_scope() >= 0.9,
        "right scope {}",
        f.found.right_scope
    );
    assert!(
        f.false_samples.values().all(|&n| n <= 1),
        "false samples: {:?}",
        f.false_samples
    );
}

/// Issue 23 on a year with festivals, holidays, a ten-day outage of one complaint platform and
/// weaker outbreaks (1.2–4×). Its targets: detection ≥ 0.95, median delay ≤ 1 day, right scope
/// ≥ 0.90, at most 0.5 false `sample` alerts per category-year. The false alerts and the delay
/// are met and asserted. Detection and scope are not: the weakest outbreaks (a province at
/// 1.2–1.5× its level for a few days) are within its own day-to-day noise (measured: 0.78 and
/// 0.74, against 0.70 and 0.64 before issue 23). Issue 46 replaced the floors that stood under
/// those measurements (0.76 and 0.72: a change halving detection power above them passed) with
/// the oracle's test (`super::oracle`): detection and scope within 0.05 of what a detector
/// knowing the true baselines reaches at jiance's own false-alert rate, on three seeds.
#[test]
fn a_disturbed_year_is_scored_as_well_as_the_targets_ask() {
    let rules = ScoringRules::load(None).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let rates = rates(&mut rng);
    let injected = outbreaks_between(&mut rng, 1.2, 4.0);
    assert_eq!(injected.len(), 50);
    let dist = Disturbances::year(&mut ChaCha8Rng::seed_from_u64(23));
    let f = measure(&rules, &rates, &injected, &dist, "disturbed year");
    let false_rate = f.false_per_category_year(replayed_days(&rules));
    eprintln!(
        "disturbed year against issue 23's targets: detection {:.2} (target 0.95), median delay \
         {} (target 1), right scope {:.2} (target 0.90), false samples per category-year \
         {false_rate:.2} (target 0.5)",
        f.detection(),
        f.median_delay,
        f.right_scope()
    );
    assert!(f.median_delay <= 1, "median delay {}", f.median_delay);
    assert!(
        false_rate <= 0.5,
        "false samples per category-year {false_rate:.2}"
    );
    // Issue 21: dismissing false sample alerts leaves no more to look at (measured: the same,
    // as the scorer raises only 0.07 false samples per category-year and none of them comes back
    // within the window), cases are fewer than alerts (23.0 against 32.8 per category-year), and
    // as many outbreaks are found.
    let t = &f.fatigue;
    assert!(t.false_samples.1 <= t.false_samples.0, "{t:?}");
    assert!(t.alerts.1 <= t.alerts.0 && t.cases.0 <= t.alerts.0, "{t:?}");
    assert!(t.detection.1 >= t.detection.0, "{t:?}");
    // Issue 6's floor for the outbreaks it was about (2× and more) still holds.
    let strong = f.by_factor[2];
    assert!(strong.0 * 10 >= strong.1 * 9, "2× and more: {strong:?}");
}
