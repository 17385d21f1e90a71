//! `scoring.toml`: thresholds, weights, the risk matrix and the sampling plan, as data.
//!
//! The default file is embedded with `include_str!`; a rules directory holding its own
//! `scoring.toml` replaces it. Unknown keys are rejected and every error names the file and line.

use std::path::Path;

use serde::Deserialize;

use super::calendar::Calendar;
use crate::config::ConfigError;
use crate::model::{Channel, Signal};

mod validate;

/// The embedded default rules.
pub const DEFAULT_SCORING_TOML: &str = include_str!("../../rules/scoring.toml");

/// File name looked up inside a rules directory.
pub const SCORING_FILE: &str = "scoring.toml";

/// Everything the scorer is told by `scoring.toml` (see the comments in that file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    pub window: WindowRules,
    pub detect: DetectRules,
    #[serde(default)]
    pub weekday: WeekdayRules,
    #[serde(default)]
    pub inspection: InspectionRules,
    pub channel_weight: ChannelWeights,
    #[serde(default)]
    pub severity_modifier: Vec<SeverityModifier>,
    pub likelihood: LikelihoodRules,
    pub risk: RiskRules,
    pub scope: ScopeRules,
    pub action: ActionRules,
    pub alert: AlertRules,
    pub sampling: SamplingRules,
    #[serde(default)]
    pub cusum: CusumRules,
    #[serde(default)]
    pub outage: OutageRules,
    #[serde(default)]
    pub province_prior: ProvincePriorRules,
    /// `calendar.toml` beside it (the embedded one by default).
    #[serde(skip)]
    pub calendar: Calendar,
}

/// The negative-binomial CUSUM, the second detector (`[cusum]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CusumRules {
    pub enabled: bool,
    /// The out-of-control mean as a multiple of the expected one.
    pub shift: f64,
    /// Decision threshold h on the CUSUM of log-likelihood ratios.
    pub threshold: f64,
    /// Days the CUSUM runs over, ending on the scored day.
    pub days: u32,
    /// observed / expected over the CUSUM's current run needed for it to count.
    pub min_excess_ratio: f64,
}

impl Default for CusumRules {
    fn default() -> Self {
        CusumRules {
            enabled: true,
            shift: 2.0,
            threshold: 7.0,
            days: 7,
            min_excess_ratio: 1.3,
        }
    }
}

/// Source outages (`[outage]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutageRules {
    /// Days after a source's return whose rows of it are left out too (its backlog).
    pub catchup_days: u32,
    /// A day whose coverage is below this is left out of baselines and windows.
    pub min_coverage: f64,
}

impl Default for OutageRules {
    fn default() -> Self {
        OutageRules {
            catchup_days: 3,
            min_coverage: 0.5,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowRules {
    pub window_days: u32,
    pub baseline_days: u32,
    pub guard_days: u32,
}

/// How inspection results of an alert's sampling enter its next score (`[inspection]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InspectionRules {
    pub days: u32,
    pub fail_points: f64,
    pub pass_points: f64,
}

impl Default for InspectionRules {
    fn default() -> Self {
        InspectionRules {
            days: 90,
            fail_points: 1.0,
            pass_points: 1.0,
        }
    }
}

/// Day-of-week effects (see `[weekday]` in scoring.toml).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WeekdayRules {
    pub enabled: bool,
    pub history_days: u32,
    pub prior_days: f64,
}

impl Default for WeekdayRules {
    fn default() -> Self {
        WeekdayRules {
            enabled: true,
            history_days: 364,
            prior_days: 8.0,
        }
    }
}

/// Each province's baseline shrunk towards its long-run share of the nation's
/// (`[province_prior]`, issue 46).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProvincePriorRules {
    pub enabled: bool,
    /// Days of history (ending the day before the baseline, so the prior is evidence the
    /// baseline does not hold) the province's share of the nation is read from.
    pub history_days: u32,
    /// The prior's weight in effective events: a province's own baseline of that many events
    /// counts as much as the prior.
    pub prior_events: f64,
}

impl Default for ProvincePriorRules {
    fn default() -> Self {
        ProvincePriorRules {
            enabled: false,
            history_days: 364,
            prior_events: 100.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectRules {
    pub min_clusters: u32,
    pub min_weight: f64,
    pub min_excess_ratio: f64,
    pub p_threshold: f64,
    pub prior_per_day: f64,
    pub max_dispersion: f64,
    #[serde(default)]
    pub scan_days: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelWeights {
    pub complaint: f64,
    pub regulator: f64,
    pub platform: f64,
    pub media: f64,
    pub standard: f64,
}

impl ChannelWeights {
    pub fn get(&self, channel: Channel) -> f64 {
        match channel {
            Channel::Complaint => self.complaint,
            Channel::Regulator => self.regulator,
            Channel::Platform => self.platform,
            Channel::Media => self.media,
            Channel::Standard => self.standard,
        }
    }
}

/// Raises or bounds the severity of the signals of a category and/or hazard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityModifier {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub hazard: Option<String>,
    #[serde(default)]
    pub raise: i8,
    #[serde(default)]
    pub min: Option<u8>,
    #[serde(default)]
    pub max: Option<u8>,
}

impl SeverityModifier {
    fn matches(&self, category: &str, hazard: &str) -> bool {
        self.category.as_deref().is_none_or(|c| c == category)
            && self.hazard.as_deref().is_none_or(|h| h == hazard)
    }
}

/// `[threshold, points]` pairs, ascending by threshold.
pub type Steps = Vec<(f64, f64)>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LikelihoodRules {
    pub excess_ratio: Steps,
    pub clusters: Steps,
    pub sources: Steps,
    pub channels: Steps,
    pub inspection: f64,
}

/// Points of the highest step reached by `value` (0 when none is).
pub fn step_points(steps: &[(f64, f64)], value: f64) -> f64 {
    steps
        .iter()
        .filter(|(t, _)| value >= *t)
        .map(|(_, p)| *p)
        .fold(0.0, f64::max)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRules {
    /// `matrix[severity - 1][likelihood - 1]` = risk level.
    pub matrix: [[u8; 4]; 4],
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRules {
    pub systemic_min_provinces: u32,
    pub max_province_share: f64,
    pub concentration: f64,
    #[serde(default = "default_raised_p")]
    pub raised_p: f64,
    /// Threshold of the combined test across provinces (see `[scope]` in scoring.toml).
    #[serde(default = "default_combined_p")]
    pub combined_p: f64,
    /// observed / expected the combined test's provinces need together.
    #[serde(default = "default_combined_min_ratio")]
    pub combined_min_ratio: f64,
    /// Raised provinces (p < raised_p) the combined test needs before it makes a rise systemic.
    #[serde(default)]
    pub combined_min_raised: u32,
    /// The provincial p-values the scope's tests (raised, combined) read (issue 46).
    #[serde(default)]
    pub evidence: ScopeEvidence,
}

/// Which p-value of a province the scope's tests read: "raised" (p < `raised_p`) and the
/// combined test across provinces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeEvidence {
    /// The province's Poisson p-value: its baseline taken as exact.
    #[default]
    Poisson,
    /// The test the notify gate reads (`[action] notify_evidence`, without the CUSUM's bound):
    /// with "mixed", the conditional test where the province's baseline holds events. Both
    /// tests of spread assume each province's p-value is uniform under no rise; a 28-day
    /// baseline low by chance in a few of 31 provinces breaks that, and the Poisson test counts
    /// it as spread.
    Notify,
}

fn default_combined_min_ratio() -> f64 {
    1.3
}

fn default_combined_p() -> f64 {
    0.001
}

fn default_raised_p() -> f64 {
    0.01
}

fn default_sample_family_p() -> f64 {
    0.01
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRules {
    pub sample_min_level: u8,
    pub notify_min_level: u8,
    pub sample_min_sources: u32,
    pub sample_min_clusters: u32,
    pub sample_p_threshold: f64,
    #[serde(default = "default_sample_family_p")]
    pub sample_family_p: f64,
    pub local_city_share: f64,
    /// False `notify` alerts a category may raise in a year by chance (issue 46): the new-notify
    /// threshold is this spread over the cells and tests scanned a year (`notify_alpha`).
    #[serde(default = "default_notify_budget")]
    pub notify_budget: f64,
    /// Days an alert whose cell stopped alerting stays open (issue 46's hysteresis: one that
    /// comes back within them is the same alert); 0 closes it the first day it is not raised.
    #[serde(default = "default_hold_days")]
    pub hold_days: u32,
    /// A new alert taking over an open or held alert of its category with the other scope is
    /// that alert (issue 46; `super::hold`): a systemic alert narrowed to a province it listed
    /// is not a new notification, one widening regional alerts is a raise of them.
    #[serde(default = "default_true")]
    pub hold_across_scope: bool,
    /// The evidence the notify budget's threshold is applied to (issue 46).
    #[serde(default)]
    pub notify_evidence: NotifyEvidence,
    /// Systemic alerts are held to the notify budget too, on the nation cell's own evidence.
    #[serde(default)]
    pub notify_systemic: bool,
    /// With `notify_evidence = "mixed"`: a cell whose baseline holds at least this many effective
    /// events is judged on the conditional test, a sparser one on the Poisson test.
    #[serde(default = "default_notify_sparse_events")]
    pub notify_sparse_events: f64,
    /// The run-length rule for regional notifies (issue 46, `super::run_length`): a province's
    /// new `notify` needs its evidence held on at least this many of the last `notify_run_of`
    /// days (today one of them); 0 or 1 turns it off.
    #[serde(default)]
    pub notify_run_days: u32,
    /// The days the run-length rule looks back over, today included (at least notify_run_days).
    #[serde(default)]
    pub notify_run_of: u32,
    /// Evidence below `notify_run_strong` × the notify threshold notifies at once, whatever the
    /// run: a strong one-day spike is not held back.
    #[serde(default = "default_notify_run_strong")]
    pub notify_run_strong: f64,
    /// A past day counts towards the run when its evidence is below this × the notify
    /// threshold (1: the gate itself; more: a rise building up counts before it crossed it).
    #[serde(default = "default_notify_run_past")]
    pub notify_run_past: f64,
}

fn default_notify_run_past() -> f64 {
    1.0
}

fn default_notify_run_strong() -> f64 {
    0.01
}

// The serde defaults are the shipped file's (rules/scoring.toml), so a rules directory's
// scoring.toml written before a key existed gets the measured setting.
fn default_notify_sparse_events() -> f64 {
    20.0
}

/// What a cell's evidence for the notify budget's gate is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyEvidence {
    /// The cell's Poisson p-value (or the CUSUM's bound): the baseline taken as exact.
    Poisson,
    /// The conditional test of the scanned window against window + baseline (or the CUSUM's
    /// bound): the baseline's own noise counted.
    Conditional,
    /// The conditional test where the cell's baseline has events (at least
    /// `notify_sparse_events` effective events), the Poisson test against the prior floor where
    /// it is sparser: there the conditional test's power is capped by the floor (four complaints
    /// on an empty baseline: 0.2⁴ = 1.6e-3, never below `p_threshold`). The default: a quarter
    /// fewer false raises than `Poisson` at the same detection and delay (simulated, README.md).
    #[default]
    Mixed,
}

fn default_true() -> bool {
    true
}

fn default_hold_days() -> u32 {
    7
}

fn default_notify_budget() -> f64 {
    36.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRules {
    pub max_evidence: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingRules {
    pub exclusion_days: u32,
    pub max_parties: usize,
    pub plan: Vec<SamplingPlan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingPlan {
    pub level: u8,
    pub batches: u32,
    pub deadline_days: u32,
}

impl ScoringRules {
    /// The p-value a cell must beat to raise a new `notify` alert: the per-category-year
    /// `notify_budget` spread over every test the category gets in a year — its `cells` scanned
    /// (the nation and each province with signals, at most 32) × the tests each cell gets a day
    /// (the whole window, the Bonferroni-corrected sub-windows, and the CUSUM when on) × 365 days.
    /// A threshold per cell and test, as before, let some 300 cells a year through by chance.
    /// Never looser than the detection threshold.
    pub fn notify_alpha(&self, cells: usize) -> f64 {
        let tests = 2.0 + if self.cusum.enabled { 1.0 } else { 0.0 };
        let cells = cells.max(1) as f64;
        (self.action.notify_budget / (cells * tests * 365.0)).min(self.detect.p_threshold)
    }

    /// The rules of `rules_dir/scoring.toml`, or the embedded defaults when no directory is given
    /// or the directory has no `scoring.toml` (a rules directory may override only some files).
    pub fn load(rules_dir: Option<&Path>) -> Result<ScoringRules, Vec<ConfigError>> {
        let scoring = ScoringRules::load_scoring(rules_dir);
        let calendar = Calendar::load(rules_dir);
        match (scoring, calendar) {
            (Ok(mut s), Ok(c)) => {
                s.calendar = c;
                Ok(s)
            }
            (Err(mut a), Err(b)) => {
                a.extend(b);
                Err(a)
            }
            (Err(a), Ok(_)) | (Ok(_), Err(a)) => Err(a),
        }
    }

    fn load_scoring(rules_dir: Option<&Path>) -> Result<ScoringRules, Vec<ConfigError>> {
        let Some(dir) = rules_dir else {
            return ScoringRules::parse(DEFAULT_SCORING_TOML, "<embedded>/rules/scoring.toml");
        };
        let path = dir.join(SCORING_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => ScoringRules::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::info!(dir = %dir.display(), "no scoring.toml in rules dir, using embedded defaults");
                ScoringRules::parse(DEFAULT_SCORING_TOML, "<embedded>/rules/scoring.toml")
            }
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse and validate rules text; `file` names it in errors. The calendar is the embedded one
    /// ([`ScoringRules::load`] reads a rules directory's).
    pub fn parse(text: &str, file: &str) -> Result<ScoringRules, Vec<ConfigError>> {
        let mut rules: ScoringRules =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        rules.calendar = Calendar::embedded();
        let errors = rules.validate(text, file);
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// A signal's weight: source weight × channel weight (non-finite or negative source weights
    /// count as zero, so one bad row cannot poison a cell).
    pub fn signal_weight(&self, s: &Signal) -> f64 {
        let w = f64::from(s.weight);
        let w = if w.is_finite() && w > 0.0 { w } else { 0.0 };
        w * self.channel_weight.get(s.channel)
    }

    /// A signal's severity after the modifiers, within 1–4.
    pub fn severity(&self, category: &str, hazard: &str, severity: u8) -> u8 {
        let mut sev = i16::from(severity.clamp(1, 4));
        for m in self
            .severity_modifier
            .iter()
            .filter(|m| m.matches(category, hazard))
        {
            sev += i16::from(m.raise);
            if let Some(min) = m.min {
                sev = sev.max(i16::from(min));
            }
            if let Some(max) = m.max {
                sev = sev.min(i16::from(max));
            }
        }
        // clamp keeps it in 1..=4, so the cast cannot truncate.
        sev.clamp(1, 4) as u8
    }

    /// Risk level for a severity and a likelihood (both clamped to 1–4).
    pub fn level(&self, severity: u8, likelihood: u8) -> u8 {
        let s = usize::from(severity.clamp(1, 4)) - 1;
        let l = usize::from(likelihood.clamp(1, 4)) - 1;
        self.risk
            .matrix
            .get(s)
            .and_then(|row| row.get(l))
            .copied()
            .unwrap_or(1)
    }

    /// The sampling plan for a level, if that level is sampled.
    pub fn plan(&self, level: u8) -> Option<&SamplingPlan> {
        self.sampling.plan.iter().find(|p| p.level == level)
    }
}

#[cfg(test)]
mod tests {
    use super::validate::check_steps;
    use super::*;

    #[test]
    fn embedded_rules_load_and_validate() {
        let r = ScoringRules::load(None).unwrap();
        assert_eq!(r.window.window_days, 7);
        assert!(r.plan(4).is_some() && r.plan(3).is_some());
        assert_eq!(r.level(4, 4), 4);
        assert_eq!(r.level(1, 1), 1);
        // The example modifier makes swallowed magnets very serious whatever analysis said.
        assert_eq!(r.severity("磁性玩具", "误吞", 2), 4);
        assert_eq!(r.severity("玩具", "误吞", 2), 2);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = DEFAULT_SCORING_TOML.replace("guard_days = 2", "guard_days = 2\nguard_dayz = 3");
        let errs = ScoringRules::parse(&text, "s.toml").unwrap_err();
        assert_eq!(errs.len(), 1);
        let want = text
            .lines()
            .position(|l| l.starts_with("guard_dayz"))
            .unwrap()
            + 1;
        assert_eq!(errs[0].line, want, "{}", errs[0]);
        assert!(errs[0].to_string().starts_with("s.toml:"));
    }

    #[test]
    fn bad_values_are_each_reported_with_their_line() {
        let text = DEFAULT_SCORING_TOML
            .replace("p_threshold = 0.001", "p_threshold = 1.5")
            .replace("[2, 2, 3, 4],", "[2, 2, 1, 4],")
            .replace(
                "[[sampling.plan]]\nlevel = 3",
                "[[sampling.plan]]\nlevel = 7",
            )
            .replace("prior_days = 8.0", "prior_days = 0.0")
            .replace("notify_budget = 36.0", "notify_budget = -1.0")
            .replace("notify_sparse_events = 20.0", "notify_sparse_events = -1.0")
            .replace("combined_min_raised = 0", "combined_min_raised = 5")
            .replace("hold_days = 7", "hold_days = 61")
            .replace("notify_run_of = 2", "notify_run_of = 1")
            .replace("notify_run_strong = 0.1", "notify_run_strong = 0.0")
            .replace("notify_run_past = 100.0", "notify_run_past = 0.5")
            .replace("prior_events = 100.0", "prior_events = -1.0");
        let errs = ScoringRules::parse(&text, "s.toml").unwrap_err();
        let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            errs.iter().any(|e| e.line == line("p_threshold = 1.5")),
            "{msgs:?}"
        );
        assert!(
            errs.iter().any(|e| e.message.contains("must not decrease")),
            "{msgs:?}"
        );
        assert!(errs.iter().any(|e| e.line == line("level = 7")), "{msgs:?}");
        assert!(
            errs.iter().any(|e| e.line == line("notify_budget = -1.0")),
            "{msgs:?}"
        );
        for bad in [
            "notify_run_of = 1",
            "notify_run_strong = 0.0",
            "notify_run_past = 0.5",
        ] {
            assert!(errs.iter().any(|e| e.line == line(bad)), "{bad}: {msgs:?}");
        }
        assert!(
            errs.iter().any(|e| e.line == line("hold_days = 61")),
            "{msgs:?}"
        );
        // Issue 46's gates: a negative event count, more raised provinces than a spread needs.
        for bad in [
            "notify_sparse_events = -1.0",
            "combined_min_raised = 5",
            "prior_events = -1.0",
        ] {
            assert!(errs.iter().any(|e| e.line == line(bad)), "{bad}: {msgs:?}");
        }
        // 0 pseudo-days would make 0/0 weekday factors.
        assert!(
            errs.iter().any(|e| e.line == line("prior_days = 0.0")),
            "{msgs:?}"
        );
        // Level 3 is sampled but its plan became level 7.
        assert!(
            errs.iter().any(|e| e.message.contains("level 3")),
            "{msgs:?}"
        );
    }

    /// `[scope] evidence` (issue 46) takes "poisson" or "notify", defaults to "poisson", and a
    /// misspelt value is located.
    #[test]
    fn scope_evidence_is_read_and_a_bad_one_located() {
        assert_eq!(
            ScoringRules::load(None).unwrap().scope.evidence,
            ScopeEvidence::Poisson
        );
        let text = DEFAULT_SCORING_TOML.replace("evidence = \"poisson\"", "evidence = \"notify\"");
        let r = ScoringRules::parse(&text, "s.toml").unwrap();
        assert_eq!(r.scope.evidence, ScopeEvidence::Notify);
        let text = DEFAULT_SCORING_TOML.replace("evidence = \"poisson\"", "evidence = \"exact\"");
        let errs = ScoringRules::parse(&text, "s.toml").unwrap_err();
        let want = text
            .lines()
            .position(|l| l.contains("evidence = \"exact\""))
            .unwrap()
            + 1;
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, want, "{}", errs[0]);
        // without the key, the default
        let text = DEFAULT_SCORING_TOML.replace("evidence = \"poisson\"\n", "");
        let r = ScoringRules::parse(&text, "s.toml").unwrap();
        assert_eq!(r.scope.evidence, ScopeEvidence::Poisson);
    }

    /// `[action] hold_across_scope` (issue 46) is read (the shipped file sets it), defaults to
    /// true without the key, and a value that is no boolean is located.
    #[test]
    fn hold_across_scope_is_read_and_a_bad_one_located() {
        assert!(ScoringRules::load(None).unwrap().action.hold_across_scope);
        let text =
            DEFAULT_SCORING_TOML.replace("hold_across_scope = true", "hold_across_scope = false");
        assert_ne!(text, DEFAULT_SCORING_TOML, "the shipped file sets the key");
        let r = ScoringRules::parse(&text, "s.toml").unwrap();
        assert!(!r.action.hold_across_scope);
        let text =
            DEFAULT_SCORING_TOML.replace("hold_across_scope = true", "hold_across_scope = 7");
        let errs = ScoringRules::parse(&text, "s.toml").unwrap_err();
        let want = text
            .lines()
            .position(|l| l.contains("hold_across_scope = 7"))
            .unwrap()
            + 1;
        assert_eq!(errs[0].line, want, "{}", errs[0]);
        let text = DEFAULT_SCORING_TOML.replace("hold_across_scope = true\n", "");
        assert!(
            ScoringRules::parse(&text, "s.toml")
                .unwrap()
                .action
                .hold_across_scope
        );
    }

    #[test]
    fn load_reads_a_directory_and_falls_back_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        let r = ScoringRules::load(Some(dir.path())).unwrap();
        assert_eq!(r.detect.min_clusters, 3);
        let text = DEFAULT_SCORING_TOML.replace("min_clusters = 3", "min_clusters = 5");
        std::fs::write(dir.path().join(SCORING_FILE), text).unwrap();
        let r = ScoringRules::load(Some(dir.path())).unwrap();
        assert_eq!(r.detect.min_clusters, 5);
        std::fs::write(
            dir.path().join(SCORING_FILE),
            "[window]\nwindow_days = \"x\"\n",
        )
        .unwrap();
        let errs = ScoringRules::load(Some(dir.path())).unwrap_err();
        assert!(
            errs[0].file.ends_with("scoring.toml") && errs[0].line == 2,
            "{:?}",
            errs
        );
    }

    #[test]
    fn steps_take_the_highest_reached() {
        let s = vec![(2.0, 0.5), (4.0, 1.0)];
        assert_eq!(step_points(&s, 1.0), 0.0);
        assert_eq!(step_points(&s, 2.0), 0.5);
        assert_eq!(step_points(&s, 9.0), 1.0);
        assert!(check_steps(&[(2.0, 0.5), (2.0, 1.0)]).is_some());
    }
}
