//! Tests of issue 46's notify gates (test only): the mixed evidence gate (`[action]
//! notify_evidence = "mixed"`, `notify_sparse_events`) picks the test by the cell's baseline, and
//! the combined test across provinces counts towards systemic only with `[scope]
//! combined_min_raised` provinces raised; `[province_prior]` lifts a baseline quiet by chance
//! only with history before it. Each builds a category whose counts give known p-values (one
//! source, weight 1, constant baselines: no dispersion) and scores it.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::model::{Channel, DocKind, Parties};

const CATEGORY: &str = "电热毯";

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
}

/// The scored day: window days 30–36, guard 28–29, baseline 0–27 (the default 7 + 2 + 28).
const AS_OF: i64 = 36;

/// `per_day[d]` complaints in `province` on day `d`, each its own story.
fn complaints(province: &str, per_day: &[u32]) -> Vec<Signal> {
    let mut out = Vec::new();
    for (d, &n) in per_day.iter().enumerate() {
        for k in 0..n {
            let time = day(d as i64).and_hms_opt(10, 0, 0).unwrap();
            out.push(Signal {
                doc_id: format!("{province}-{d}-{k}"),
                time: Utc.from_utc_datetime(&time),
                category: CATEGORY.into(),
                hazard: "触电".into(),
                severity: 4,
                province: Some(province.into()),
                city: None,
                source: "12315平台".into(),
                channel: Channel::Complaint,
                kind: DocKind::Complaint,
                weight: 1.0,
                cluster: format!("c-{province}-{d}-{k}"),
                parties: Parties::default(),
                product: None,
            });
        }
    }
    out
}

/// One a day on days 0–29, then `window` (seven days, 30–36).
fn busy(province: &str, window: [u32; 7]) -> Vec<Signal> {
    let mut per_day = vec![1; 30];
    per_day.extend(window);
    complaints(province, &per_day)
}

fn score_with(rules: &ScoringRules, signals: &[Signal]) -> ScoreOutput {
    let items = |_: &str| Vec::new();
    let input = ScoreInput {
        signals,
        as_of: day(AS_OF),
        sampled: &HashSet::new(),
        test_items: &items,
        previous: &[],
        inspections: &[],
        outages: &[],
    };
    score(rules, &input)
}

fn action_in(out: &ScoreOutput, province: &str) -> Option<Action> {
    out.alerts
        .iter()
        .chain(&out.dismissed)
        .find(|a| a.scope == Scope::Regional && a.regions.first().is_some_and(|r| r == province))
        .map(|a| a.action)
}

/// A busy baseline (28 a month) and 20 in the window, against an empty baseline and four
/// complaints. The Poisson test takes the busy baseline as exact (p ≈ 5e-5); the conditional
/// test counts its own noise (p ≈ 1e-3): the threshold is set between them. On the empty
/// baseline the conditional test cannot go below 0.2⁴ (the prior floor's share of the window),
/// the Poisson test against the floor can.
#[test]
fn the_mixed_gate_judges_busy_cells_conditionally_and_sparse_ones_by_poisson() {
    let mut rules = ScoringRules::load(None).unwrap();
    let p_poisson = poisson_upper_tail(20.0, 7.0);
    let p_conditional = binomial_upper_tail(20.0, 48.0, 7.0 / 35.0);
    let alpha = (p_poisson * p_conditional).sqrt();
    assert!(p_poisson < alpha && alpha < p_conditional && alpha < rules.detect.p_threshold);
    // the category scans two cells, the nation and the province: alpha = budget / (2 × 3 × 365)
    rules.action.notify_budget = alpha * 2.0 * 3.0 * 365.0;
    assert!((rules.notify_alpha(2) - alpha).abs() < alpha * 1e-9);
    rules.action.notify_sparse_events = 5.0;
    let busy_cell = busy("浙江省", [3, 3, 3, 3, 3, 3, 2]);

    rules.action.notify_evidence = NotifyEvidence::Poisson;
    let out = score_with(&rules, &busy_cell);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");
    rules.action.notify_evidence = NotifyEvidence::Mixed;
    let out = score_with(&rules, &busy_cell);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Dismiss), "{out:#?}");
    // the switch is the baseline's events: above them, a busy cell is judged on Poisson again
    rules.action.notify_sparse_events = 100.0;
    let out = score_with(&rules, &busy_cell);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");

    // Four complaints on an empty baseline, as in the demo's local problem, at the default budget.
    let mut rules = ScoringRules::load(None).unwrap();
    rules.action.notify_sparse_events = 5.0;
    let mut per_day = vec![0; 32];
    per_day.extend([1, 1, 0, 1, 1]);
    let sparse = complaints("浙江省", &per_day);
    rules.action.notify_evidence = NotifyEvidence::Mixed;
    let out = score_with(&rules, &sparse);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");
    rules.action.notify_evidence = NotifyEvidence::Conditional;
    let out = score_with(&rules, &sparse);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Dismiss), "{out:#?}");
}

/// Ten provinces each a little above a busy baseline (11 against 7: p ≈ 0.1, none raised): the
/// combined test finds them together, and the nation is elevated. Without raised provinces that
/// is a systemic alert only when `combined_min_raised` is 0; two provinces raised on their own
/// make it one again.
#[test]
fn the_combined_test_makes_a_systemic_alert_only_with_raised_provinces() {
    let thin = [2, 2, 2, 2, 1, 1, 1];
    let mut signals = Vec::new();
    for province in &crate::model::PROVINCES[..10] {
        signals.extend(busy(province, thin));
    }
    let systemic = |out: &ScoreOutput| {
        out.alerts
            .iter()
            .filter(|a| a.scope == Scope::Systemic)
            .count()
    };
    let mut rules = ScoringRules::load(None).unwrap();
    rules.action.notify_systemic = false;
    rules.scope.combined_min_raised = 0;
    let out = score_with(&rules, &signals);
    assert_eq!(systemic(&out), 1, "{:#?}", out.alerts);
    rules.scope.combined_min_raised = 2;
    let out = score_with(&rules, &signals);
    assert_eq!(systemic(&out), 0, "{:#?}", out.alerts);

    // Two more provinces raised (20 against 7): real spread, systemic again.
    for province in &crate::model::PROVINCES[10..12] {
        signals.extend(busy(province, [3, 3, 3, 3, 3, 3, 2]));
    }
    let out = score_with(&rules, &signals);
    assert_eq!(systemic(&out), 1, "{:#?}", out.alerts);
}

/// Six provinces each 15 against a busy baseline's 7: the Poisson test takes the baseline as
/// exact and raises each of them (p ≈ 0.006 < `raised_p`); the conditional test counts the
/// baseline's own noise (p ≈ 0.016) and raises none. With `[scope] evidence = "notify"` the
/// systemic alert's spread is the conditional test's; the combined test still finds the six
/// together, so the rise stays systemic.
#[test]
fn the_scope_reads_the_notify_gates_test_when_told() {
    let mut rules = ScoringRules::load(None).unwrap();
    let p_poisson = poisson_upper_tail(15.0, 7.0);
    let p_conditional = binomial_upper_tail(15.0, 43.0, 7.0 / 35.0);
    assert!(p_poisson < rules.scope.raised_p && rules.scope.raised_p < p_conditional);
    rules.action.notify_evidence = NotifyEvidence::Mixed;
    rules.action.notify_sparse_events = 20.0;
    let mut signals = Vec::new();
    for province in &crate::model::PROVINCES[..6] {
        signals.extend(busy(province, [3, 2, 2, 2, 2, 2, 2]));
    }
    let raised = |out: &ScoreOutput| {
        let a = out
            .alerts
            .iter()
            .find(|a| a.scope == Scope::Systemic)
            .unwrap_or_else(|| panic!("no systemic alert: {:#?}", out.alerts));
        a.breakdown
            .iter()
            .find(|t| t.name == "raised_provinces")
            .map(|t| t.value)
    };
    rules.scope.evidence = ScopeEvidence::Poisson;
    assert_eq!(raised(&score_with(&rules, &signals)), Some(6.0));
    rules.scope.evidence = ScopeEvidence::Notify;
    assert_eq!(raised(&score_with(&rules, &signals)), Some(0.0));
}

/// `[province_prior]`: two provinces that each carried two complaints a day for `history` days,
/// then a baseline in which 河南省 had one every other day (quiet by chance), then an ordinary
/// week of two a day in both. Taken at its word the quiet baseline makes that week a rise (14
/// against 3.5 expected, p ≈ 1e-5). With the history the prior shrinks it towards the province's
/// usual share of the rest (two a day, worth some 38 events): 14 against about 7.8, no alert.
/// Without history before the baseline the prior knows nothing the baseline does not, and
/// changes nothing.
#[test]
fn the_prior_lifts_a_quiet_baseline_only_with_history_before_it() {
    let score_of = |history: usize, prior: bool| {
        let mut quiet = vec![2u32; history];
        quiet.extend((0..28).map(|d| u32::from(d % 2 == 0)));
        quiet.extend([0, 0]);
        quiet.extend([2; 7]);
        let mut usual = vec![2u32; history + 28];
        usual.extend([0, 0]);
        usual.extend([2; 7]);
        let mut signals = complaints("河南省", &quiet);
        signals.extend(complaints("湖北省", &usual));
        let mut rules = ScoringRules::load(None).unwrap();
        rules.province_prior.enabled = prior;
        let items = |_: &str| Vec::new();
        let input = ScoreInput {
            signals: &signals,
            as_of: day(history as i64 + AS_OF),
            sampled: &HashSet::new(),
            test_items: &items,
            previous: &[],
            inspections: &[],
            outages: &[],
        };
        score(&rules, &input)
    };
    let alerted = |out: &ScoreOutput| {
        out.alerts
            .iter()
            .any(|a| a.scope == Scope::Regional && a.regions.first().is_some_and(|r| r == "河南省"))
    };
    assert!(
        alerted(&score_of(120, false)),
        "the quiet baseline taken at its word"
    );
    assert!(!alerted(&score_of(120, true)), "the prior lifts it");
    assert!(alerted(&score_of(0, false)) && alerted(&score_of(0, true)));
}

/// Issue 46's run-length rule: a province's one-day spike (7 against 1 a day: the conditional
/// test's p ≈ 3e-4, between the threshold 1e-3 and a tenth of it) is notified with the rule off
/// and dismissed with it on; the same spike after a day already high (5) is notified, and so
/// is a spike strong enough on its own (9: p ≈ 7e-6). The CUSUM stays below its threshold in
/// each (it would make the evidence its own).
#[test]
fn a_one_day_spike_waits_for_a_second_day_unless_it_is_strong() {
    let mut rules = ScoringRules::load(None).unwrap();
    assert_eq!(rules.action.notify_run_days, 2);
    let spike = busy("浙江省", [1, 1, 1, 1, 1, 1, 7]);
    let out = score_with(&rules, &spike);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Dismiss), "{out:#?}");
    let second_day = busy("浙江省", [1, 1, 1, 1, 1, 5, 7]);
    let out = score_with(&rules, &second_day);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");
    let strong = busy("浙江省", [1, 1, 1, 1, 1, 1, 9]);
    let out = score_with(&rules, &strong);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");
    rules.action.notify_run_days = 0;
    let out = score_with(&rules, &spike);
    assert_eq!(action_in(&out, "浙江省"), Some(Action::Notify), "{out:#?}");
}
