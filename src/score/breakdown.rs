//! The breakdown of an alert: every number behind its action, each with what it means (Chinese
//! first, then English), in the order a reader checks them — counts, tests, detectors,
//! evidence, severity and likelihood, the extra terms of its gates, the action and the score.

use super::stats::format_p;
use super::why::Why;
use super::{Ctx, Facts};
use crate::model::{Action, ScoreTerm};

pub(super) fn term(name: &str, value: f64, note: &str) -> ScoreTerm {
    ScoreTerm {
        name: name.into(),
        value,
        note: note.into(),
    }
}

pub(super) fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Every number of the alert of `f` with `action`, `extra` (the gates' terms) before the action.
pub(super) fn breakdown(
    ctx: &Ctx,
    f: &Facts,
    extra: Vec<ScoreTerm>,
    action: Action,
    why: &Why,
) -> Vec<ScoreTerm> {
    let mut breakdown = counts_and_tests(ctx, f);
    breakdown.extend([
        term(
            "clusters",
            f64::from(f.counts.clusters),
            "独立事件数 distinct near-duplicate clusters",
        ),
        term(
            "sources",
            f.sources as f64,
            "独立信息源 independent publishers (one per cluster; a site's pages, feed and API are one)",
        ),
        term(
            "channels",
            f.channels as f64,
            "渠道数 channels (complaint/regulator/platform/media/standard)",
        ),
        term(
            "regulator",
            flag(f.regulator),
            "监管通报 regulator notice in the window (1 = yes)",
        ),
        term(
            "inspection",
            flag(f.inspection),
            "抽检不合格或召回 inspection failure or recall (1 = yes)",
        ),
        term(
            "severity",
            f64::from(f.severity),
            "严重程度 highest severity, GB/T 22760 1–4",
        ),
        term(
            "likelihood_points",
            f.points,
            "可能性得分 points: excess, clusters, sources, channels, inspection",
        ),
        term(
            "likelihood",
            f64::from(f.likelihood),
            "可能性 likelihood = 1 + ⌊points⌋, at most 4",
        ),
        term(
            "level",
            f64::from(f.level),
            "风险等级 risk level, severity × likelihood matrix",
        ),
    ]);
    breakdown.extend(extra);
    breakdown.push(term(
        "action",
        match action {
            Action::Dismiss => 0.0,
            Action::Notify => 1.0,
            Action::Sample => 2.0,
        },
        &format!(
            "处置 0 dismiss / 1 notify / 2 sample: {}（{}）",
            why.zh, why.en
        ),
    ));
    breakdown.push(term(
        "score",
        f.score,
        "排序分 severity × likelihood + min(−log10 p, 10)/10",
    ));
    breakdown
}

/// The counts of the cell's window and baseline, and what each test and detector made of them.
fn counts_and_tests(ctx: &Ctx, f: &Facts) -> Vec<ScoreTerm> {
    let rules = ctx.rules;
    let d = &rules.detect;
    let w = ctx.periods.window_days;
    vec![
        term(
            "observed",
            f.counts.observed,
            &format!("窗口内去重加权信息量 weighted distinct clusters, last {w} days"),
        ),
        term(
            "expected",
            f.counts.expected,
            &format!(
                "基线期望 expected over the window from {} baseline days (floor {}/day)",
                ctx.periods.baseline_days, d.prior_per_day
            ),
        ),
        term(
            "baseline_per_day",
            f.counts.baseline_per_day,
            "基线日均 baseline mean per day",
        ),
        term(
            "weight_scale",
            f.counts.weight_scale,
            "权重尺度 Σw²/Σw: weighted count per effective event",
        ),
        term(
            "overdispersion",
            f.counts.overdispersion,
            "过度离散 baseline daily variance / mean beyond the weights (≥ 1, capped)",
        ),
        term(
            "dispersion",
            f.counts.dispersion,
            "检验尺度 weight scale × over-dispersion; counts are divided by it in both tests",
        ),
        term(
            "excess_ratio",
            f.counts.ratio,
            "超额倍数 observed / expected",
        ),
        term(
            "p_value",
            f.counts.p,
            &format!(
                "Poisson 上尾概率 P(X ≥ observed): the whole window's, or a sub-window's × their number if smaller; threshold {}",
                format_p(d.p_threshold)
            ),
        ),
        term(
            "scan_days",
            f64::from(f.counts.scan.0),
            "检验窗口 days of the (sub-)window that gave the p-value: the window's last 1, 3 … days are tested too",
        ),
        term(
            "scan_observed",
            f.counts.scan.1,
            "该窗口信息量 weighted count in that (sub-)window",
        ),
        term(
            "scan_expected",
            f.counts.scan.2,
            "该窗口期望 expected count in that (sub-)window (weekday-adjusted)",
        ),
        term(
            "detector",
            f64::from(u8::from(f.counts.poisson_fired) + 2 * u8::from(f.counts.cusum.fired)),
            &format!(
                "检测器 which detector fired: 1 Poisson test, 2 negative-binomial CUSUM, 3 both, 0 neither (a record, or a systemic rise by spread); fired: {}",
                match (f.counts.poisson_fired, f.counts.cusum.fired) {
                    (true, true) => "poisson, nb-cusum",
                    (true, false) => "poisson",
                    (false, true) => "nb-cusum",
                    (false, false) => "none",
                }
            ),
        ),
        term(
            "cusum",
            f.counts.cusum.s,
            &format!(
                "负二项CUSUM S on the scored day (shift {}, NB size {}); fires at ≥ {} when its run is ≥ {}× expected",
                rules.cusum.shift,
                f.counts
                    .cusum
                    .size
                    .map_or("∞ (Poisson)".to_string(), |r| format!("{r:.2}")),
                rules.cusum.threshold,
                rules.cusum.min_excess_ratio
            ),
        ),
        term(
            "cusum_days",
            f64::from(f.counts.cusum.days),
            "CUSUM连续天数 days of the CUSUM's current run",
        ),
        term(
            "p_conditional",
            f.p_conditional,
            &format!(
                "条件检验 P(window share ≥ observed | window + baseline); sampling needs < {} (min of sample_p_threshold and sample_family_p / cells that could be sampled)",
                format_p(ctx.sample_alpha)
            ),
        ),
    ]
}
