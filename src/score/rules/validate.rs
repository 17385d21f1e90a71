//! Checking `scoring.toml` once it is read: the single-valued settings in named steps (spans,
//! detection, risk and scope, action, limits), then the sampling plans and the severity
//! modifiers. Every error names the file and the line of its key.

use super::ScoringRules;
use crate::config::{ConfigError, line_in_block, line_of_key};
use crate::model::Channel;

impl ScoringRules {
    pub(super) fn validate(&self, text: &str, file: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        self.validate_settings(text, file, &mut errors);
        self.validate_lists(text, file, &mut errors);
        errors
    }

    /// The single-valued settings.
    fn validate_settings(&self, text: &str, file: &str, errors: &mut Vec<ConfigError>) {
        let err: &mut dyn FnMut(&str, &str, String) =
            &mut |section: &str, key: &str, message: String| {
                errors.push(ConfigError::new(
                    file,
                    line_of_key(text, section, key),
                    message,
                ));
            };
        self.check_spans(err);
        self.check_detection(err);
        self.check_risk_and_scope(err);
        self.check_action(err);
        self.check_limits(err);
    }

    /// The time spans: the window, the memory of inspection results, the weekday history.
    fn check_spans(&self, err: &mut dyn FnMut(&str, &str, String)) {
        let w = &self.window;
        if w.window_days == 0 || w.window_days > 366 {
            err(
                "window",
                "window_days",
                format!("window_days must be 1–366, got {}", w.window_days),
            );
        }
        if w.baseline_days == 0 || w.baseline_days > 3660 {
            err(
                "window",
                "baseline_days",
                format!("baseline_days must be 1–3660, got {}", w.baseline_days),
            );
        }
        if w.guard_days > 366 {
            err(
                "window",
                "guard_days",
                format!("guard_days must be at most 366, got {}", w.guard_days),
            );
        }
        let ins = &self.inspection;
        if ins.days == 0 || ins.days > 3660 {
            err(
                "inspection",
                "days",
                format!("days must be 1–3660, got {}", ins.days),
            );
        }
        for (key, v) in [
            ("fail_points", ins.fail_points),
            ("pass_points", ins.pass_points),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                err("inspection", key, format!("{key} must be ≥ 0, got {v}"));
            }
        }
        let wk = &self.weekday;
        if wk.history_days < 7 || wk.history_days > 3660 {
            err(
                "weekday",
                "history_days",
                format!("history_days must be 7–3660, got {}", wk.history_days),
            );
        }
        // 0 would divide 0 by 0 for a weekday the history has not seen yet (NaN factors).
        if !(wk.prior_days.is_finite() && wk.prior_days > 0.0) {
            err(
                "weekday",
                "prior_days",
                format!("prior_days must be > 0, got {}", wk.prior_days),
            );
        }
        let pp = &self.province_prior;
        if pp.history_days < 7 || pp.history_days > 3660 {
            err(
                "province_prior",
                "history_days",
                format!("history_days must be 7–3660, got {}", pp.history_days),
            );
        }
        if !(pp.prior_events.is_finite() && pp.prior_events >= 0.0) {
            err(
                "province_prior",
                "prior_events",
                format!("prior_events must be ≥ 0, got {}", pp.prior_events),
            );
        }
    }

    /// What makes a rise a detection: thresholds, channel weights, likelihood steps.
    fn check_detection(&self, err: &mut dyn FnMut(&str, &str, String)) {
        let d = &self.detect;
        if d.min_clusters == 0 {
            err(
                "detect",
                "min_clusters",
                "min_clusters must be at least 1".into(),
            );
        }
        if !(d.min_weight.is_finite() && d.min_weight >= 0.0) {
            err(
                "detect",
                "min_weight",
                format!("min_weight must be ≥ 0, got {}", d.min_weight),
            );
        }
        if !(d.min_excess_ratio.is_finite() && d.min_excess_ratio >= 0.0) {
            err(
                "detect",
                "min_excess_ratio",
                format!("min_excess_ratio must be ≥ 0, got {}", d.min_excess_ratio),
            );
        }
        if !(d.p_threshold > 0.0 && d.p_threshold < 1.0) {
            err(
                "detect",
                "p_threshold",
                format!("p_threshold must be in (0, 1), got {}", d.p_threshold),
            );
        }
        if !(d.prior_per_day.is_finite() && d.prior_per_day > 0.0) {
            err(
                "detect",
                "prior_per_day",
                format!("prior_per_day must be > 0, got {}", d.prior_per_day),
            );
        }
        if !(d.max_dispersion.is_finite() && d.max_dispersion >= 1.0) {
            err(
                "detect",
                "max_dispersion",
                format!("max_dispersion must be ≥ 1, got {}", d.max_dispersion),
            );
        }
        for ch in Channel::ALL {
            let v = self.channel_weight.get(ch);
            if !(v.is_finite() && v > 0.0) {
                err(
                    "channel_weight",
                    ch.as_str(),
                    format!("channel weight {} must be > 0, got {v}", ch.as_str()),
                );
            }
        }
        let l = &self.likelihood;
        for (key, steps) in [
            ("excess_ratio", &l.excess_ratio),
            ("clusters", &l.clusters),
            ("sources", &l.sources),
            ("channels", &l.channels),
        ] {
            if let Some(m) = check_steps(steps) {
                err("likelihood", key, format!("{key}: {m}"));
            }
        }
        if !(l.inspection.is_finite() && l.inspection >= 0.0) {
            err(
                "likelihood",
                "inspection",
                format!("inspection points must be ≥ 0, got {}", l.inspection),
            );
        }
    }

    /// The risk matrix, the scope of an alert, and the p-values that decide scope and family sampling.
    fn check_risk_and_scope(&self, err: &mut dyn FnMut(&str, &str, String)) {
        let m = &self.risk.matrix;
        if m.iter().flatten().any(|&v| !(1..=4).contains(&v)) {
            err(
                "risk",
                "matrix",
                "every risk level in the matrix must be 1–4".into(),
            );
        }
        let monotone =
            (0..4).all(|i| (1..4).all(|j| m[i][j] >= m[i][j - 1] && m[j][i] >= m[j - 1][i]));
        if !monotone {
            err(
                "risk",
                "matrix",
                "the matrix must not decrease along a row (likelihood) or a column (severity)"
                    .into(),
            );
        }
        let s = &self.scope;
        if s.systemic_min_provinces < 2 {
            err(
                "scope",
                "systemic_min_provinces",
                "systemic_min_provinces must be at least 2".into(),
            );
        }
        if !(s.max_province_share > 0.0 && s.max_province_share <= 1.0) {
            err(
                "scope",
                "max_province_share",
                format!(
                    "max_province_share must be in (0, 1], got {}",
                    s.max_province_share
                ),
            );
        }
        if !(s.combined_min_ratio.is_finite() && s.combined_min_ratio >= 1.0) {
            err(
                "scope",
                "combined_min_ratio",
                format!(
                    "combined_min_ratio must be ≥ 1, got {}",
                    s.combined_min_ratio
                ),
            );
        }
        if s.combined_min_raised > s.systemic_min_provinces {
            err(
                "scope",
                "combined_min_raised",
                format!(
                    "combined_min_raised must be at most systemic_min_provinces ({}): more raised \
                     provinces are a spread already, got {}",
                    s.systemic_min_provinces, s.combined_min_raised
                ),
            );
        }
        if !(s.concentration > 0.0 && s.concentration <= 1.0) {
            err(
                "scope",
                "concentration",
                format!("concentration must be in (0, 1], got {}", s.concentration),
            );
        }
        for (section, key, v) in [
            ("scope", "raised_p", s.raised_p),
            ("scope", "combined_p", s.combined_p),
            ("action", "sample_family_p", self.action.sample_family_p),
        ] {
            if !(v > 0.0 && v < 1.0) {
                err(section, key, format!("{key} must be in (0, 1), got {v}"));
            }
        }
    }

    /// When an alert asks for sampling or notification.
    fn check_action(&self, err: &mut dyn FnMut(&str, &str, String)) {
        let a = &self.action;
        if !(1..=4).contains(&a.sample_min_level) {
            err(
                "action",
                "sample_min_level",
                format!("sample_min_level must be 1–4, got {}", a.sample_min_level),
            );
        }
        if !(1..=4).contains(&a.notify_min_level) || a.notify_min_level > a.sample_min_level {
            err(
                "action",
                "notify_min_level",
                format!(
                    "notify_min_level must be 1–4 and ≤ sample_min_level, got {}",
                    a.notify_min_level
                ),
            );
        }
        if a.sample_min_sources == 0 {
            err(
                "action",
                "sample_min_sources",
                "sample_min_sources must be at least 1".into(),
            );
        }
        if a.sample_min_clusters == 0 {
            err(
                "action",
                "sample_min_clusters",
                "sample_min_clusters must be at least 1".into(),
            );
        }
        if !(a.sample_p_threshold > 0.0 && a.sample_p_threshold < 1.0) {
            err(
                "action",
                "sample_p_threshold",
                format!(
                    "sample_p_threshold must be in (0, 1), got {}",
                    a.sample_p_threshold
                ),
            );
        }
        if !(a.notify_budget.is_finite() && a.notify_budget > 0.0) {
            err(
                "action",
                "notify_budget",
                format!("notify_budget must be > 0, got {}", a.notify_budget),
            );
        }
        if !(a.notify_sparse_events.is_finite() && a.notify_sparse_events >= 0.0) {
            err(
                "action",
                "notify_sparse_events",
                format!(
                    "notify_sparse_events must be ≥ 0 (effective events in a baseline), got {}",
                    a.notify_sparse_events
                ),
            );
        }
        if a.hold_days > 60 {
            err(
                "action",
                "hold_days",
                format!(
                    "hold_days must be at most 60 (a held alert says what its cell said then), got {}",
                    a.hold_days
                ),
            );
        }
        if a.notify_run_days > 1 && !(a.notify_run_days..=14).contains(&a.notify_run_of) {
            err(
                "action",
                "notify_run_of",
                format!(
                    "notify_run_of must be from notify_run_days ({}) to 14 days, got {}",
                    a.notify_run_days, a.notify_run_of
                ),
            );
        }
        if !(a.notify_run_strong > 0.0 && a.notify_run_strong <= 1.0) {
            err(
                "action",
                "notify_run_strong",
                format!(
                    "notify_run_strong must be in (0, 1] (a share of the notify threshold), got {}",
                    a.notify_run_strong
                ),
            );
        }
        if !(a.notify_run_past.is_finite() && a.notify_run_past >= 1.0) {
            err(
                "action",
                "notify_run_past",
                format!(
                    "notify_run_past must be ≥ 1 (a multiple of the notify threshold), got {}",
                    a.notify_run_past
                ),
            );
        }
        if !(a.local_city_share >= 0.0 && a.local_city_share <= 1.0) {
            err(
                "action",
                "local_city_share",
                format!(
                    "local_city_share must be in [0, 1], got {}",
                    a.local_city_share
                ),
            );
        }
    }

    /// The CUSUM, outage handling, and the caps on evidence and parties.
    fn check_limits(&self, err: &mut dyn FnMut(&str, &str, String)) {
        let c = &self.cusum;
        if !(c.shift.is_finite() && c.shift > 1.0) {
            err(
                "cusum",
                "shift",
                format!("shift must be > 1, got {}", c.shift),
            );
        }
        if !(c.threshold.is_finite() && c.threshold > 0.0) {
            err(
                "cusum",
                "threshold",
                format!("threshold must be > 0, got {}", c.threshold),
            );
        }
        if c.days == 0 || c.days > 366 {
            err(
                "cusum",
                "days",
                format!("days must be 1–366, got {}", c.days),
            );
        }
        if !(c.min_excess_ratio.is_finite() && c.min_excess_ratio >= 1.0) {
            err(
                "cusum",
                "min_excess_ratio",
                format!("min_excess_ratio must be ≥ 1, got {}", c.min_excess_ratio),
            );
        }
        let o = &self.outage;
        if o.catchup_days > 60 {
            err(
                "outage",
                "catchup_days",
                format!("catchup_days must be at most 60, got {}", o.catchup_days),
            );
        }
        if !(0.0..1.0).contains(&o.min_coverage) {
            err(
                "outage",
                "min_coverage",
                format!("min_coverage must be in [0, 1), got {}", o.min_coverage),
            );
        }
        if self.alert.max_evidence == 0 {
            err(
                "alert",
                "max_evidence",
                "max_evidence must be at least 1".into(),
            );
        }
        if self.sampling.max_parties == 0 {
            err(
                "sampling",
                "max_parties",
                "max_parties must be at least 1".into(),
            );
        }
    }

    /// The sampling plans and the severity modifiers.
    fn validate_lists(&self, text: &str, file: &str, errors: &mut Vec<ConfigError>) {
        for (i, p) in self.sampling.plan.iter().enumerate() {
            let mut perr = |key: &str, message: String| {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "sampling.plan", i, key),
                    message,
                ));
            };
            if !(1..=4).contains(&p.level) {
                perr("level", format!("plan level must be 1–4, got {}", p.level));
            }
            if p.batches == 0 {
                perr("batches", "batches must be at least 1".into());
            }
            if p.deadline_days == 0 {
                perr("deadline_days", "deadline_days must be at least 1".into());
            }
            if self.sampling.plan[..i].iter().any(|q| q.level == p.level) {
                perr("level", format!("level {} has two sampling plans", p.level));
            }
        }
        for level in self.action.sample_min_level.clamp(1, 4)..=4 {
            if self.plan(level).is_none() {
                errors.push(ConfigError::new(
                    file,
                    line_of_key(text, "sampling", "plan"),
                    format!("no [[sampling.plan]] for level {level}, which is sampled (sample_min_level)"),
                ));
            }
        }
        for (i, m) in self.severity_modifier.iter().enumerate() {
            let mut merr = |key: &str, message: String| {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "severity_modifier", i, key),
                    message,
                ));
            };
            if m.category.is_none() && m.hazard.is_none() {
                merr(
                    "",
                    "a severity modifier needs a category or a hazard".into(),
                );
            }
            if m.raise == 0 && m.min.is_none() && m.max.is_none() {
                merr("", "a severity modifier needs raise, min or max".into());
            }
            if !(-3..=3).contains(&m.raise) {
                merr(
                    "raise",
                    format!("raise must be within −3…3, got {}", m.raise),
                );
            }
            for (key, v) in [("min", m.min), ("max", m.max)] {
                if let Some(v) = v.filter(|v| !(1..=4).contains(v)) {
                    merr(key, format!("{key} must be 1–4, got {v}"));
                }
            }
            if let (Some(lo), Some(hi)) = (m.min, m.max)
                && lo > hi
            {
                merr("min", format!("min {lo} is above max {hi}"));
            }
        }
    }
}

/// Why a steps list is malformed, if it is.
pub(super) fn check_steps(steps: &[(f64, f64)]) -> Option<String> {
    if steps
        .iter()
        .any(|(t, p)| !t.is_finite() || !p.is_finite() || *p < 0.0)
    {
        return Some("thresholds must be finite and points ≥ 0".into());
    }
    if steps.windows(2).any(|w| w[1].0 <= w[0].0) {
        return Some("thresholds must be strictly ascending".into());
    }
    None
}
