//! One alert out of a cell's facts: the action and why (`decide`), the breakdown of every number,
//! the summary a person reads first, inspection results of its own sampling (`inspected`), its
//! status against the previous run, and the sampling request of a `sample` alert.

use std::cmp::Ordering;
use std::collections::HashSet;

use chrono::{Days, NaiveDate};

use super::breakdown::{breakdown, term};
use super::facts::Counts;
use super::rules::{NotifyEvidence, ScopeEvidence};
use super::stats::format_p;
use super::why::Why;
use super::{Ctx, Facts, ScoreOutput, ScoringRules};
use crate::model::{
    Action, Alert, AlertStatus, DayCount, Jurisdiction, PartyRole, SamplingRequest, Scope,
    ScoreTerm, Signal, alert_id,
};

/// The strength of a cell's evidence as a p-value for the notify budget's gate: its Poisson
/// p-value or (`notify_evidence = "conditional"`) the test of the (sub-)window that gave it
/// conditional on window + baseline (binomial; the sub-window's Bonferroni factor kept), or the
/// CUSUM's bound (days × e^−S, Ville's inequality) when it fired and is stronger, or `other`.
///
/// Why the conditional test: the Poisson test takes the baseline mean as the true rate, and a
/// cell whose 28 days were quiet by chance then turns ordinary days into p-values far below
/// what chance gives (measured on the simulated hard years: with it, false regional raises at a
/// budget of 2 fell from 102-116 to 22-38 a year). Where the baseline is sparse the conditional
/// test cannot reach the threshold at all (the prior floor caps it), so the "mixed" option
/// keeps the Poisson test there.
pub(super) fn evidence(rules: &ScoringRules, f: &Facts, other: f64) -> f64 {
    counts_evidence(rules, &f.counts).min(other)
}

/// [`evidence`] from a cell's counts alone (the run-length rule reads past days' counts).
pub(super) fn counts_evidence(rules: &ScoringRules, k: &Counts) -> f64 {
    let c = &k.cusum;
    let cusum = if c.fired {
        f64::from(rules.cusum.days) * (-c.s).exp()
    } else {
        1.0
    };
    test_p(rules, k).min(cusum)
}

/// The test `notify_evidence` names, on a cell's counts: the Poisson p-value, or the conditional
/// test of the scanned (sub-)window, or (mixed) the one its baseline's size picks.
pub(super) fn test_p(rules: &ScoringRules, k: &Counts) -> f64 {
    match rules.action.notify_evidence {
        NotifyEvidence::Poisson => k.p,
        NotifyEvidence::Conditional => conditional_scan(rules, k),
        NotifyEvidence::Mixed if baseline_events(k) < rules.action.notify_sparse_events => k.p,
        NotifyEvidence::Mixed => conditional_scan(rules, k),
    }
}

/// A province's p-value for the scope's tests of spread (raised, combined): its Poisson p-value,
/// or (`[scope] evidence = "notify"`) the notify gate's test.
pub(super) fn scope_p(rules: &ScoringRules, c: &Counts) -> f64 {
    match rules.scope.evidence {
        ScopeEvidence::Poisson => c.p,
        ScopeEvidence::Notify => test_p(rules, c),
    }
}

/// The effective events of a cell's baseline (its weighted count over the dispersion, as both
/// tests count): how far its rate is known, which picks the mixed gate's test.
pub(super) fn baseline_events(k: &Counts) -> f64 {
    k.baseline_per_day * k.base_factors() / k.dispersion.max(f64::MIN_POSITIVE)
}

/// The conditional test of the scanned (sub-)window: its count against window + baseline, its
/// expected share of them the window's expectation over the two expectations (both floored at
/// `prior_per_day`, as the tests floor them), in effective events.
fn conditional_scan(rules: &ScoringRules, k: &Counts) -> f64 {
    let (days, obs, exp) = k.scan;
    let disp = k.dispersion.max(f64::MIN_POSITIVE);
    let base_days = f64::from(rules.window.baseline_days);
    let base = (k.baseline_per_day * k.base_factors()).max(rules.detect.prior_per_day * base_days);
    if exp <= 0.0 || base <= 0.0 {
        return k.p;
    }
    let p = super::stats::binomial_upper_tail(obs / disp, (obs + base) / disp, exp / (exp + base));
    let subs = rules
        .detect
        .scan_days
        .iter()
        .filter(|&&l| l > 0 && l < rules.window.window_days)
        .count()
        .max(1) as f64;
    if days < rules.window.window_days {
        (p * subs).min(1.0)
    } else {
        p
    }
}

/// The notify budget's gate for one cell (issue 46).
pub(super) struct Gate {
    /// The cell's [`evidence`].
    pub(super) evidence: f64,
    /// The category's new-notify threshold, `ScoringRules::notify_alpha`.
    pub(super) alpha: f64,
}

/// The action for an elevated cell, and why.
pub(super) fn decide(
    rules: &ScoringRules,
    sample_alpha: f64,
    f: &Facts,
    scope: Scope,
    gate: &Gate,
) -> (Action, Why) {
    let a = &rules.action;
    if f.level < a.notify_min_level {
        return (
            Action::Dismiss,
            Why::new(
                format!("风险等级{}低于通报线{}", f.level, a.notify_min_level),
                "level below the notify threshold",
            ),
        );
    }
    let corroborated = f.sources >= a.sample_min_sources as usize || f.regulator;
    let mut missing = Vec::new();
    if f.level < a.sample_min_level {
        missing.push(Why::new(
            format!("风险等级{}低于抽检线{}", f.level, a.sample_min_level),
            "level below the sampling threshold",
        ));
    }
    if !corroborated {
        missing.push(Why::new(
            "仅单一信息源且无监管通报",
            "one source, no regulator notice",
        ));
    }
    if f.p_conditional >= sample_alpha {
        missing.push(Why::new(
            format!(
                "条件检验p={}，基线自身波动尚可解释",
                format_p(f.p_conditional)
            ),
            "baseline noise could explain the rise (conditional test)",
        ));
    }
    if f.counts.clusters < a.sample_min_clusters {
        missing.push(Why::new(
            format!(
                "独立信息{}起，抽检需{}起",
                f.counts.clusters, a.sample_min_clusters
            ),
            "too few clusters to sample",
        ));
    }
    if scope == Scope::Regional && f.local {
        missing.push(Why::new(
            format!("集中在{}一地", f.city.unwrap_or_default()),
            "confined to one city",
        ));
    }
    if missing.is_empty() {
        (
            Action::Sample,
            Why::new(
                "区域性或普遍性问题，佐证充分",
                "regional or general problem, corroborated",
            ),
        )
    } else if gate.evidence >= gate.alpha {
        // Issue 46: a new notification must beat the notify budget's threshold, spread over
        // every cell and test of the category's year.
        (
            Action::Dismiss,
            Why::new(
                format!(
                    "证据p={}未达通报预算阈值{}",
                    format_p(gate.evidence),
                    format_p(gate.alpha)
                ),
                "evidence short of the notify budget's threshold",
            ),
        )
    } else {
        (Action::Notify, Why::join(missing))
    }
}

/// Build the alert (and its sampling request) for a cell and put it where it belongs.
#[allow(clippy::too_many_arguments)]
pub(super) fn emit(
    ctx: &Ctx,
    signals: &[&Signal],
    f: &Facts,
    scope: Scope,
    provinces: &[&str],
    action: Action,
    why: Why,
    extra: Vec<ScoreTerm>,
    daily: Vec<DayCount>,
    out: &mut ScoreOutput,
) {
    let rules = ctx.rules;
    let as_of = ctx.run.as_of;
    let region = match scope {
        Scope::Systemic => "全国",
        Scope::Regional => provinces.first().copied().unwrap_or("全国"),
    };
    let id = alert_id(f.category, scope, region);
    let mut extra = extra;
    let adjusted;
    let (f, action, why) = match inspected(ctx, &id, f, action, &why, &mut extra) {
        Some((g, action, why)) => {
            adjusted = g;
            (&adjusted, action, why)
        }
        None => (f, action, why),
    };
    let mut regions = vec![region.to_string()];
    match scope {
        Scope::Systemic => regions.extend(provinces.iter().map(|p| p.to_string())),
        Scope::Regional => {
            // A notified local unit is named down to its city when the reports place one.
            if action == Action::Notify
                && f.local
                && let Some(city) = f.city
            {
                regions.push(city.to_string());
            }
        }
    }
    let place = match scope {
        Scope::Systemic => "全国".to_string(),
        Scope::Regional => format!(
            "{}{}",
            region,
            if regions.len() > 1 {
                f.city.unwrap_or_default()
            } else {
                ""
            }
        ),
    };

    let w = ctx.periods.window_days;
    let breakdown = breakdown(ctx, f, extra, action, &why);

    let (first_seen, status) = history(
        ctx.previous.get(id.as_str()).copied(),
        f.level,
        action,
        as_of,
    );

    let hazards: Vec<String> = f.hazards.iter().map(|h| h.to_string()).collect();
    let summary = summary(f, scope, &place, provinces.len(), action, &why, w);
    let reasons = reasons(rules, f, scope, provinces.len(), action, &why, w);
    let alert = Alert {
        id,
        category: f.category.to_string(),
        hazards,
        scope,
        regions,
        level: f.level,
        action,
        score: f.score,
        breakdown,
        evidence: f
            .evidence
            .iter()
            .map(|&i| signals[i].doc_id.clone())
            .collect(),
        first_seen,
        updated: as_of,
        status,
        summary,
        reasons,
        daily,
        jurisdictions: Vec::new(),
    };
    match action {
        Action::Dismiss => out.dismissed.push(alert),
        Action::Notify => out.alerts.push(alert),
        Action::Sample => {
            if let Some(req) = sampling_request(ctx, signals, f, &alert) {
                out.sampling.push(req);
            }
            out.alerts.push(alert);
        }
    }
}

/// `first_seen` and status of an alert at `level` with `action` as of `as_of`, against the
/// previous run's alert with its id (`None`: there was none).
pub(super) fn history(
    prev: Option<&Alert>,
    level: u8,
    action: Action,
    as_of: NaiveDate,
) -> (NaiveDate, AlertStatus) {
    match prev {
        None => (as_of, AlertStatus::New),
        Some(p) => {
            let status = match (level, action).cmp(&(p.level, p.action)) {
                Ordering::Greater => AlertStatus::Escalated,
                Ordering::Less => AlertStatus::Deescalated,
                Ordering::Equal => AlertStatus::Ongoing,
            };
            (p.first_seen.min(as_of), status)
        }
    }
}

/// Inspection results of the alert's sampling (recorded by `POST /api/inspection-results` or
/// `jiance inspect-result`) within `[inspection] days`: a failed batch is proof, so it adds
/// likelihood points and keeps (or puts) the alert at `sample` when its level allows; batches that
/// all passed lower the likelihood and take a `sample` alert down to `notify`: never up. `None`
/// when there are no results (nothing changes).
fn inspected<'s>(
    ctx: &Ctx,
    id: &str,
    f: &Facts<'s>,
    action: Action,
    why: &Why,
    extra: &mut Vec<ScoreTerm>,
) -> Option<(Facts<'s>, Action, Why)> {
    let rules = ctx.rules;
    let ins = &rules.inspection;
    let since = ctx
        .run
        .as_of
        .checked_sub_days(Days::new(u64::from(ins.days)))
        .unwrap_or(NaiveDate::MIN);
    let results: Vec<&crate::store::InspectionResult> = ctx
        .run
        .inspections
        .iter()
        .filter(|r| r.alert_id == id && r.inspected_on >= since && r.inspected_on <= ctx.run.as_of)
        .collect();
    if results.is_empty() {
        return None;
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    let mut g = f.clone();
    let a = &rules.action;
    let (action, why, effect) = if failed > 0 {
        g.points = f.points + ins.fail_points;
        g.likelihood = (1.0 + g.points.floor()).clamp(1.0, 4.0) as u8;
        g.level = rules.level(g.severity, g.likelihood).max(f.level);
        let action = if g.level >= a.sample_min_level {
            Action::Sample
        } else if g.level >= a.notify_min_level {
            action.max(Action::Notify)
        } else {
            action
        };
        let why = Why::new(
            format!("抽检{}批次中{}批次不合格", results.len(), failed),
            format!("{failed} of {} inspected batches failed", results.len()),
        );
        (action, why, 1.0)
    } else {
        if action == Action::Dismiss {
            return None;
        }
        g.points = (f.points - ins.pass_points).max(0.0);
        g.likelihood = (1.0 + g.points.floor()).clamp(1.0, 4.0) as u8;
        g.level = rules.level(g.severity, g.likelihood).min(f.level);
        let lowered = if action == Action::Sample {
            Action::Notify
        } else if g.level < a.notify_min_level {
            Action::Dismiss
        } else {
            action
        };
        let why = Why::new(
            format!("已抽检{}批次全部合格，{}", results.len(), why.zh),
            format!("all {} inspected batches passed; {}", results.len(), why.en),
        );
        (lowered.min(action), why, -1.0)
    };
    let surprise = if f.counts.p > 0.0 {
        (-f.counts.p.log10()).min(10.0)
    } else {
        10.0
    };
    g.score = f64::from(g.severity) * f64::from(g.likelihood) + surprise / 10.0;
    if effect < 0.0 {
        g.score = g.score.min(f.score);
    } else {
        g.score = g.score.max(f.score);
    }
    extra.push(term(
        "inspection_batches",
        results.len() as f64,
        &format!(
            "已检批次 inspected batches of this alert, last {} days",
            ins.days
        ),
    ));
    extra.push(term(
        "inspection_failed",
        failed as f64,
        "不合格批次 failed batches",
    ));
    extra.push(term(
        "inspection_effect",
        effect,
        "抽检结果影响 +1 failed batch raised likelihood / −1 all passed lowered it",
    ));
    Some((g, action, why))
}

/// One Chinese sentence a person reads first.
fn summary(
    f: &Facts,
    scope: Scope,
    place: &str,
    provinces: usize,
    action: Action,
    why: &Why,
    w: u32,
) -> String {
    let why = &why.zh;
    let hz = if f.hazards.is_empty() {
        "未明".to_string()
    } else {
        f.hazards
            .iter()
            .take(3)
            .copied()
            .collect::<Vec<_>>()
            .join("、")
    };
    let counts = format!(
        "近{w}天{}起独立风险信息（加权{:.1}，基线预期{:.1}，{:.1}倍）",
        f.counts.clusters, f.counts.observed, f.counts.expected, f.counts.ratio
    );
    match (action, scope) {
        (Action::Sample, Scope::Systemic) => format!(
            "{}风险信息在全国{provinces}个省份同时升高，{counts}{}，主要危害为{hz}，风险{}级，建议组织全国性网上抽检。",
            f.category,
            if f.national_notice {
                "，并有国家级监管通报"
            } else {
                ""
            },
            f.level
        ),
        (Action::Sample, Scope::Regional) => format!(
            "{place}{}{counts}，主要危害为{hz}，{}个信息源、{}个渠道佐证，风险{}级，建议组织网上抽检。",
            f.category, f.sources, f.channels, f.level
        ),
        (Action::Notify, Scope::Systemic) => format!(
            "{}风险信息在全国{provinces}个省份升高，{counts}，主要危害为{hz}，风险{}级，暂不抽检（{why}），{}",
            f.category,
            f.level,
            notify_advice(scope, place, &[])
        ),
        (Action::Notify, Scope::Regional) => format!(
            "{place}{}{counts}，主要危害为{hz}，风险{}级，暂不抽检（{why}），{}",
            f.category,
            f.level,
            notify_advice(scope, place, &[])
        ),
        (Action::Dismiss, _) => format!(
            "{place}{}{counts}，主要危害为{hz}，未达到处置条件（{why}），记录备查。",
            f.category
        ),
    }
}

/// The clause that ends a `notify` alert's summary: whom to hand it to. Scoring names the place
/// of the events; routing ([`super::route`]) adds the jurisdictions of the enterprises and shops
/// of its evidence (`to`), the place of the events kept.
pub(super) fn notify_advice(scope: Scope, place: &str, to: &[Jurisdiction]) -> String {
    match (scope, to.is_empty()) {
        (Scope::Systemic, true) => "建议通报相关省份监管部门关注。".to_string(),
        (Scope::Regional, true) => format!("建议通报{place}属地监管部门核查处置。"),
        (Scope::Systemic, false) => format!(
            "建议通报相关省份监管部门关注，并通报涉事{}所在地{}监管部门核查处置。",
            parties_of(to),
            names(to)
        ),
        (Scope::Regional, false) => format!(
            "建议通报涉事{}所在地{}监管部门核查处置，并告知事发地{place}属地监管部门。",
            parties_of(to),
            names(to)
        ),
    }
}

/// How the last reason of a `notify` alert begins: to whom it goes (see [`notify_advice`]).
pub(super) fn notify_verb(to: &[Jurisdiction]) -> String {
    if to.is_empty() {
        "建议通报属地监管部门，暂不抽检".to_string()
    } else {
        format!("建议通报{}及事发地属地监管部门，暂不抽检", names(to))
    }
}

/// The jurisdictions' names for a sentence: the first few, and how many more.
fn names(to: &[Jurisdiction]) -> String {
    const SHOWN: usize = 5;
    let mut s = to
        .iter()
        .take(SHOWN)
        .map(Jurisdiction::name)
        .collect::<Vec<_>>()
        .join("、");
    if to.len() > SHOWN {
        s.push_str(&format!("等{}地", to.len()));
    }
    s
}

/// Which kinds of party the jurisdictions hold: 企业, 店铺 or both.
fn parties_of(to: &[Jurisdiction]) -> &'static str {
    let has = |role| to.iter().any(|j| j.parties.iter().any(|p| p.role == role));
    match (has(PartyRole::Enterprise), has(PartyRole::Shop)) {
        (true, true) => "企业、店铺",
        (false, true) => "店铺",
        _ => "企业",
    }
}

/// Why the alert is what it is, one sentence each, for the analyst who reads it before the
/// breakdown: the rise against the baseline, how likely chance is, what corroborates it, the
/// level, and the action with its reason. The numbers are the breakdown's, formatted as the page
/// shows them (p-values in scientific notation).
fn reasons(
    rules: &ScoringRules,
    f: &Facts,
    scope: Scope,
    provinces: usize,
    action: Action,
    why: &Why,
    w: u32,
) -> Vec<String> {
    let c = &f.counts;
    let mut out = Vec::new();
    let spread = match scope {
        Scope::Systemic if provinces > 0 => format!("，涉及{provinces}个省份"),
        _ => String::new(),
    };
    out.push(format!(
        "近{w}天有{}起独立风险信息（加权{:.1}），是基线预期{:.1}的{:.1}倍{spread}。",
        c.clusters, c.observed, c.expected, c.ratio
    ));
    let threshold = format_p(rules.detect.p_threshold);
    let chance = if c.scan.0 < w {
        format!(
            "若无变化，近{}天这样的升高偶然出现的概率为p={}（已按检验窗口数校正，阈值{threshold}）。",
            c.scan.0,
            format_p(c.p)
        )
    } else {
        format!(
            "若无变化，这样的升高偶然出现的概率为p={}（阈值{threshold}）。",
            format_p(c.p)
        )
    };
    out.push(chance);
    if c.cusum.fired {
        out.push(format!(
            "持续升高检测（负二项CUSUM）在最近{}天累计到{:.1}，超过阈值{}。",
            c.cusum.days, c.cusum.s, rules.cusum.threshold
        ));
    }
    let mut backing = format!("信息来自{}个独立信息源、{}个渠道", f.sources, f.channels);
    if f.regulator {
        backing.push_str("，其中有监管部门通报");
    }
    if f.inspection {
        backing.push_str("，并有抽检不合格或召回");
    }
    backing.push('。');
    out.push(backing);
    out.push(format!(
        "最高严重程度{}级、可能性{}级，风险等级为{}级。",
        f.severity, f.likelihood, f.level
    ));
    let verb = match action {
        Action::Sample => "建议组织网上抽检".to_string(),
        Action::Notify => notify_verb(&[]),
        Action::Dismiss => "未达到处置条件，记录备查".to_string(),
    };
    let because = why.zh.replace('。', "；");
    out.push(format!("{verb}：{because}。"));
    out
}

/// The sampling request of a `sample` alert; `None` when the level has no plan (rules validation
/// makes that impossible for loaded rules).
fn sampling_request(
    ctx: &Ctx,
    signals: &[&Signal],
    f: &Facts,
    alert: &Alert,
) -> Option<SamplingRequest> {
    let rules = ctx.rules;
    let plan = rules.plan(f.level)?;
    let mut test_items: Vec<String> = Vec::new();
    for h in &f.hazards {
        for item in (ctx.run.test_items)(h) {
            if !test_items.contains(&item) {
                test_items.push(item);
            }
        }
    }
    // Strongest evidence first; each list de-duplicated and capped (no quadratic merge).
    let max = rules.sampling.max_parties;
    let sampled = ctx.run.sampled;
    let mut lists: [(Vec<String>, HashSet<&str>); 4] = Default::default();
    for &i in &f.ranked {
        let p = &signals[i].parties;
        for (k, names) in [&p.platforms, &p.shops, &p.brands, &p.enterprises]
            .into_iter()
            .enumerate()
        {
            let (list, seen) = &mut lists[k];
            for name in names {
                // Platforms are where to buy, not whom: they are never excluded.
                let excluded = k > 0 && sampled.contains(name);
                if list.len() < max && !name.is_empty() && !excluded && seen.insert(name.as_str()) {
                    list.push(name.clone());
                }
            }
        }
    }
    let [platforms, shops, brands, enterprises] = lists.map(|(list, _)| list);
    let deadline = ctx
        .run
        .as_of
        .checked_add_days(Days::new(u64::from(plan.deadline_days)))
        .unwrap_or(ctx.run.as_of);
    Some(SamplingRequest {
        alert_id: alert.id.clone(),
        category: alert.category.clone(),
        test_items,
        regions: alert.regions.clone(),
        platforms,
        shops,
        brands,
        enterprises,
        batches: plan.batches,
        deadline,
        purchases: Vec::new(),
        items: Vec::new(),
        reason: String::new(),
    })
}
