//! One cell's facts ([`Facts`]): what the scorer reads from a (category, cell)'s daily series
//! and, for cells that may alert, its window's signals — observed and expected counts with the
//! day factors, the Poisson test with its scan, the conditional (sampling) test, the second
//! detector (negative-binomial CUSUM), evidence, severity, likelihood and level; and the
//! combined test across provinces that scope reads from the provinces' facts. The part the
//! daily series alone give ([`Counts`]: every cell of every run needs it, without allocating) is
//! apart from the rest, which only cells that read their rows need. Scope, action and alerts are
//! `super`'s and `super::alert`'s.

use std::cmp::Ordering;

use super::aggregate::{Cell, CellSeries, Periods};
use super::stats::{self, binomial_upper_tail, poisson_upper_tail};
use super::why::Why;
use super::{ScoringRules, cluster_of, step_points};
use chrono::Days;

// FxHash: the keys are the window's own cluster, hazard and source names (no outside map sizes
// to defend with SipHash), hashed once per window signal.
use crate::analyze::fxhash::{FxHashMap, FxHashSet};
use crate::model::{Channel, DayCount, DocKind, Signal};

/// What the scorer read from one cell's window.
#[derive(Clone)]
pub(super) struct Facts<'s> {
    pub(super) category: &'s str,
    pub(super) cell: Cell<'s>,
    /// What the daily counts alone say (tests, detectors, elevated).
    pub(super) counts: Counts,
    /// Conditional (window vs baseline) binomial p-value: the rise beyond the baseline's own noise.
    pub(super) p_conditional: f64,
    pub(super) sources: usize,
    pub(super) channels: usize,
    pub(super) regulator: bool,
    pub(super) national_notice: bool,
    pub(super) inspection: bool,
    /// The one city all placed clusters are in, if they are all in one.
    pub(super) city: Option<&'s str>,
    /// `city` is set and enough clusters are placed to call the problem local.
    pub(super) local: bool,
    pub(super) severity: u8,
    pub(super) points: f64,
    pub(super) likelihood: u8,
    pub(super) level: u8,
    /// Why it is not elevated (for dismissed records).
    pub(super) not_elevated: Option<Why>,
    pub(super) score: f64,
    /// Hazards, most severe and most reported first.
    pub(super) hazards: Vec<&'s str>,
    /// One signal per cluster, strongest first.
    pub(super) evidence: Vec<usize>,
    /// All window signals, strongest first (for parties).
    pub(super) ranked: Vec<usize>,
}

/// A window signal's strength, computed once per signal: the sort compared n log n times, and
/// the modifiers' scan and the weight were its largest costs recomputed in every comparison.
struct Strength {
    severity: u8,
    regulator: bool,
    weight: f64,
    /// Index into the category's signals.
    i: usize,
}

impl Strength {
    fn of(rules: &ScoringRules, signals: &[&Signal], i: usize) -> Self {
        let s = signals[i];
        Strength {
            severity: rules.severity(&s.category, &s.hazard, s.severity),
            regulator: s.channel == Channel::Regulator,
            weight: rules.signal_weight(s),
            i,
        }
    }
}

/// Stronger evidence first: higher (modified) severity, regulator, larger weight, later, then id.
fn stronger(signals: &[&Signal], a: &Strength, b: &Strength) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.regulator.cmp(&a.regulator))
        .then(b.weight.total_cmp(&a.weight))
        .then_with(|| signals[b.i].time.cmp(&signals[a.i].time))
        .then_with(|| signals[a.i].doc_id.cmp(&signals[b.i].doc_id))
}

/// The second detector's reading of a cell (see `[cusum]` in scoring.toml).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Cusum {
    /// S on the scored day.
    pub(super) s: f64,
    /// Days of its current run (since it last stood at 0), and their observed and expected
    /// weighted counts.
    pub(super) days: u32,
    pub(super) observed: f64,
    pub(super) expected: f64,
    /// NB size r of the days' counts (`None`: Poisson, no over-dispersion in the baseline).
    pub(super) size: Option<f64>,
    pub(super) fired: bool,
}

/// The negative-binomial CUSUM over the last `[cusum] days` days, in effective events (weighted
/// counts divided by the weight scale, as the Poisson test counts them): each day's expected
/// level μ = baseline rate × the day's factor (floored at `prior_per_day`), r from the
/// baseline's over-dispersion. A day left out (factor 0) adds nothing.
fn nb_cusum_of(
    rules: &ScoringRules,
    p: &Periods,
    series: &CellSeries,
    mean: f64,
    weight_scale: f64,
    overdispersion: f64,
) -> Cusum {
    let c = &rules.cusum;
    if !c.enabled {
        return Cusum::default();
    }
    let ws = weight_scale.max(f64::MIN_POSITIVE);
    let size = stats::nb_size(mean / ws, overdispersion);
    let from = p.len().saturating_sub(c.days as usize);
    let mut out = Cusum {
        size,
        ..Cusum::default()
    };
    let mut run_start = from;
    for i in from..p.len() {
        let f = series.factors.get(i).copied().unwrap_or(1.0);
        if f <= 0.0 {
            continue;
        }
        let x = series.daily.get(i).copied().unwrap_or(0.0);
        let mu = (mean * f).max(rules.detect.prior_per_day);
        let llr = stats::nb_llr(x / ws, mu / ws, c.shift, size);
        if out.s + llr <= 0.0 {
            out.s = 0.0;
            run_start = i + 1;
        } else {
            out.s += llr;
        }
    }
    for i in run_start..p.len() {
        let f = series.factors.get(i).copied().unwrap_or(1.0);
        if f > 0.0 {
            out.observed += series.daily.get(i).copied().unwrap_or(0.0);
            out.expected += (mean * f).max(rules.detect.prior_per_day);
            out.days += 1;
        }
    }
    out.fired = out.s >= c.threshold
        && out.expected > 0.0
        && out.observed >= c.min_excess_ratio * out.expected;
    out
}

/// What [`counts`] (`super::plan::Priors`) shrinks a province's baseline towards.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prior {
    /// The nation's baseline rate per average day.
    pub(super) nation_rate: f64,
    /// The province's weight over the history and the rest of the nation's.
    pub(super) own_history: f64,
    pub(super) rest_history: f64,
}

/// What a cell's daily counts alone say: the tests, the detectors and whether the cell is
/// elevated. Every cell of every run needs them; only cells that may become an alert or a record
/// go on to read their window's signals ([`facts_of`]), so this part allocates nothing.
#[derive(Debug, Clone, Copy)]
pub(super) struct Counts {
    pub(super) observed: f64,
    pub(super) expected: f64,
    pub(super) baseline_per_day: f64,
    pub(super) weight_scale: f64,
    pub(super) overdispersion: f64,
    pub(super) dispersion: f64,
    pub(super) ratio: f64,
    pub(super) p: f64,
    /// The scanned window that gave `p`: days, observed, expected.
    pub(super) scan: (u32, f64, f64),
    /// The Poisson test fired (excess ratio and p-value; the cluster and weight gates aside).
    pub(super) poisson_fired: bool,
    /// The negative-binomial CUSUM, the second detector.
    pub(super) cusum: Cusum,
    pub(super) clusters: u32,
    /// Enough clusters and weight, and a detector fired.
    pub(super) elevated: bool,
    /// What it falls short of when not elevated (the first of these, in this order).
    short: Option<Short>,
    /// Sums of the day factors of the baseline's kept days and of the window's days (the
    /// conditional test's share).
    base_factors: f64,
    window_factors: f64,
}

impl Counts {
    /// The day factors of the baseline's kept days, summed (the baseline's expectation over the
    /// rate per day).
    pub(super) fn base_factors(&self) -> f64 {
        self.base_factors
    }
}

/// Why a cell is not elevated: the first test it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Short {
    Clusters,
    Weight,
    Ratio,
    Significance,
}

/// The counts part of [`facts_of`]. `prior`: what a province's baseline is shrunk towards
/// (`super::plan::Priors`).
pub(super) fn counts(
    rules: &ScoringRules,
    p: &Periods,
    series: &CellSeries,
    prior: Option<Prior>,
) -> Counts {
    let d = &rules.detect;
    let observed = series.window_sum(p);
    let base = series.baseline(p);
    // Day factors (weekday, mean 1, × calendar lift × coverage): the baseline rate is per
    // ordinary average day, the baseline days' own factors taken out; the expectation puts them
    // back for the window's days; the dispersion is measured on what the factors leave (a weekend
    // dip or a festival is not noise). A day left out (factor 0) counts in neither.
    let factor = |i: usize| series.factors.get(i).copied().unwrap_or(1.0);
    // One pass for the kept days' count, factors and counts (each sum in day order, from -0.0
    // as `Iterator::sum` starts, so every number is the one the separate sums gave).
    let (mut kept_days, mut base_factors, mut base_sum) = (0usize, -0.0f64, -0.0f64);
    for (i, &x) in base.iter().enumerate() {
        let f = factor(i);
        if f > 0.0 {
            kept_days += 1;
            base_factors += f;
            base_sum += x;
        }
    }
    let n = kept_days.max(1) as f64;
    let base_factors = base_factors.max(f64::MIN_POSITIVE);
    let window_factors: f64 = (p.window_offset()..p.len()).map(factor).sum();
    let mean = base_sum / base_factors;
    let var = if kept_days > 1 {
        base.iter()
            .enumerate()
            .filter(|&(i, _)| factor(i) > 0.0)
            .map(|(i, &x)| (x - mean * factor(i)).powi(2) / factor(i))
            .sum::<f64>()
            / (n - 1.0)
    } else {
        0.0
    };
    // A weighted sum of Poisson events has variance Σw² per Σw: dividing by that scale gives
    // effective event counts (exact for equal weights, whatever they are). Over-dispersion beyond
    // it, seen in the baseline, widens the test further.
    let weight_scale = if series.weight_sum > 0.0 && series.weight_sq > 0.0 {
        series.weight_sq / series.weight_sum
    } else {
        1.0
    };
    let overdispersion = if mean > 0.0 {
        (var / mean / weight_scale).clamp(1.0, d.max_dispersion)
    } else {
        1.0
    };
    let dispersion = weight_scale * overdispersion;
    // Issue 46, `[province_prior]`: the baseline's rate shrunk towards the province's prior, a
    // gamma prior worth `prior_events` effective events (that many events' worth of days at the
    // prior rate): a province whose 28 days were quiet by chance no longer makes an ordinary week
    // look high, while one with a large baseline keeps nearly its own rate. The prior rate is the
    // rest of the nation's baseline rate × the province's long-run ratio to it; it is never worth
    // more events than it is known to (1 / Σ 1/events of its three counts: the province's
    // history, the rest's history, the rest's baseline). Its days count as baseline days in the
    // conditional test too. The dispersion stays the baseline's own.
    let (mean, base_factors) = match prior {
        Some(pr) if rules.province_prior.prior_events > 0.0 => {
            let rest_base = (pr.nation_rate - mean).max(0.0) * base_factors;
            let rate = pr.own_history / pr.rest_history * rest_base / base_factors;
            let known = 1.0 / (1.0 / pr.own_history + 1.0 / pr.rest_history + 1.0 / rest_base);
            let events = rules.province_prior.prior_events.min(known / dispersion);
            if rate > 0.0 && events.is_finite() && events > 0.0 {
                let m = events * dispersion / rate;
                ((base_sum + m * rate) / (base_factors + m), base_factors + m)
            } else {
                (mean, base_factors)
            }
        }
        _ => (mean, base_factors),
    };
    let wd = f64::from(p.window_days);
    let expected = (mean * window_factors).max(d.prior_per_day * wd);
    let ratio = observed / expected;
    // The scan: the window's last few days tested on their own too, so a sharp rise is seen the
    // day it starts instead of when it has filled the window. The whole window keeps its p-value;
    // the sub-windows' smallest is multiplied by their number (Bonferroni), so scanning at most
    // doubles the chance elevations of the whole window alone.
    let p_full = poisson_upper_tail(observed / dispersion, expected / dispersion);
    let mut scan = (p_full, p.window_days, observed, expected);
    let subs = d
        .scan_days
        .iter()
        .filter(|&&l| l > 0 && l < p.window_days)
        .count() as f64;
    for &days in d.scan_days.iter().filter(|&&l| l > 0 && l < p.window_days) {
        let from = p.len() - days as usize;
        let obs: f64 = series.daily.get(from..).map_or(0.0, |x| x.iter().sum());
        let fac: f64 = (from..p.len()).map(factor).sum();
        let exp = (mean * fac).max(d.prior_per_day * f64::from(days));
        if obs / exp < d.min_excess_ratio {
            continue;
        }
        let p_l = (poisson_upper_tail(obs / dispersion, exp / dispersion) * subs).min(1.0);
        if p_l < scan.0 {
            scan = (p_l, days, obs, exp);
        }
    }
    let pval = scan.0;
    let clusters = series.window_clusters;
    let cusum = nb_cusum_of(rules, p, series, mean, weight_scale, overdispersion);
    let poisson_fired = ratio >= d.min_excess_ratio && pval < d.p_threshold;
    let short = if clusters < d.min_clusters {
        Some(Short::Clusters)
    } else if observed < d.min_weight {
        Some(Short::Weight)
    } else if poisson_fired || cusum.fired {
        None
    } else if ratio < d.min_excess_ratio {
        Some(Short::Ratio)
    } else {
        Some(Short::Significance)
    };
    Counts {
        observed,
        expected,
        baseline_per_day: mean,
        weight_scale,
        overdispersion,
        dispersion,
        ratio,
        p: pval,
        scan: (scan.1, scan.2, scan.3),
        poisson_fired,
        cusum,
        clusters,
        elevated: short.is_none(),
        short,
        base_factors,
        window_factors,
    }
}

/// The cell's days as the alert page charts them: each day's count, the baseline's expectation
/// of it (the rate × the day's factor, floored at `prior_per_day`, as the CUSUM reads a day) and
/// the central 95 % band of a day's count under it — Poisson quantiles of effective events (the
/// count divided by the dispersion, as both tests count) scaled back. A day left out of the
/// baseline (factor 0) has no expectation.
pub(super) fn daily(
    rules: &ScoringRules,
    p: &Periods,
    series: &CellSeries,
    c: &Counts,
) -> Vec<DayCount> {
    let disp = c.dispersion.max(f64::MIN_POSITIVE);
    // four decimals: the stored alert stays short and the same on every machine
    let r = |x: f64| (x * 1e4).round() / 1e4;
    (0..p.len())
        .filter_map(|i| {
            let day = p.baseline_start.checked_add_days(Days::new(i as u64))?;
            let f = series.factors.get(i).copied().unwrap_or(1.0);
            let excluded = f <= 0.0;
            let mu = if excluded {
                0.0
            } else {
                (c.baseline_per_day * f).max(rules.detect.prior_per_day)
            };
            Some(DayCount {
                day,
                observed: r(series.daily.get(i).copied().unwrap_or(0.0)),
                expected: r(mu),
                low: r(stats::poisson_quantile(mu / disp, 0.025) * disp),
                high: r(stats::poisson_quantile(mu / disp, 0.975) * disp),
                window: i >= p.window_offset(),
                excluded,
            })
        })
        .collect()
}

/// A cell's facts: its counts (`c`, [`counts`] of `series`) and its window's signals
/// (`series.window_signals`, indices into `signals`; none for a cell that read no rows).
pub(super) fn facts_of<'s>(
    rules: &ScoringRules,
    signals: &[&'s Signal],
    p: &Periods,
    series: &CellSeries<'s>,
    c: Counts,
) -> Facts<'s> {
    let d = &rules.detect;
    let Counts {
        observed,
        baseline_per_day: mean,
        dispersion,
        ratio,
        p: pval,
        clusters,
        base_factors,
        window_factors,
        ..
    } = c;
    // The window's share of window + baseline under equal rates: what sampling requires, since it
    // also accounts for the baseline being an estimate (floored like `expected`).
    let t_b = f64::from(p.baseline_days);
    let baseline_eff = (mean * base_factors).max(d.prior_per_day * t_b);
    let p_conditional = binomial_upper_tail(
        observed / dispersion,
        (observed + baseline_eff) / dispersion,
        window_factors / (window_factors + base_factors),
    );

    let mut strengths: Vec<Strength> = series
        .window_signals
        .iter()
        .map(|&i| Strength::of(rules, signals, i))
        .collect();
    strengths.sort_by(|a, b| stronger(signals, a, b));
    let ranked: Vec<usize> = strengths.iter().map(|k| k.i).collect();
    // First in strength order = the cluster's representative.
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut evidence = Vec::new();
    let mut cluster_city: FxHashMap<&str, &str> = FxHashMap::default();
    let mut hazards: FxHashMap<&str, (u8, FxHashSet<&str>)> = FxHashMap::default();
    let (mut regulator, mut national_notice, mut inspection, mut severity) =
        (false, false, false, 1u8);
    for k in &strengths {
        let (i, sev) = (k.i, k.severity);
        let s = signals[i];
        let cluster = cluster_of(s);
        if seen.insert(cluster) {
            evidence.push(i);
        }
        if let Some(city) = s.city.as_deref().filter(|c| !c.is_empty()) {
            cluster_city.entry(cluster).or_insert(city);
        }
        severity = severity.max(sev);
        let h = hazards
            .entry(s.hazard.as_str())
            .or_insert((0, FxHashSet::default()));
        h.0 = h.0.max(sev);
        h.1.insert(cluster);
        regulator |= s.channel == Channel::Regulator;
        national_notice |= s.channel == Channel::Regulator && s.province.as_deref() == Some("全国");
        inspection |= matches!(s.kind, DocKind::Inspection | DocKind::Recall);
    }
    let sources: FxHashSet<&str> = evidence
        .iter()
        .map(|&i| signals[i].source.as_str())
        .collect();
    let channels: FxHashSet<Channel> = evidence.iter().map(|&i| signals[i].channel).collect();
    let mut hazards: Vec<(&str, (u8, FxHashSet<&str>))> = hazards.into_iter().collect();
    hazards.sort_by(|a, b| {
        b.1.0
            .cmp(&a.1.0)
            .then(b.1.1.len().cmp(&a.1.1.len()))
            .then(a.0.cmp(b.0))
    });
    let hazards: Vec<&str> = hazards.into_iter().map(|(h, _)| h).collect();

    let cities: FxHashSet<&str> = cluster_city.values().copied().collect();
    let city = if cities.len() == 1 {
        cities.into_iter().next()
    } else {
        None
    };
    let local = city.is_some()
        && cluster_city.len() as f64 >= rules.action.local_city_share * f64::from(clusters.max(1));

    let not_elevated = c.short.map(|short| match short {
        Short::Clusters => Why::new(
            format!("独立信息{clusters}起，不足{}起", d.min_clusters),
            format!("fewer than {} distinct clusters", d.min_clusters),
        ),
        Short::Weight => Why::new(
            format!("加权信息量{observed:.2}不足{}", d.min_weight),
            "weighted count below minimum",
        ),
        Short::Ratio => Why::new(
            format!("超额倍数{ratio:.2}不足{}", d.min_excess_ratio),
            "excess ratio below minimum",
        ),
        Short::Significance => Why::new(
            format!("p={}，未显著高于基线", stats::format_p(pval)),
            format!("not above baseline (p ≥ {})", d.p_threshold),
        ),
    });

    let l = &rules.likelihood;
    let points = step_points(&l.excess_ratio, ratio)
        + step_points(&l.clusters, f64::from(clusters))
        + step_points(&l.sources, sources.len() as f64)
        + step_points(&l.channels, channels.len() as f64)
        + if inspection { l.inspection } else { 0.0 };
    // Clamped to 1..=4 before the cast.
    let likelihood = (1.0 + points.floor()).clamp(1.0, 4.0) as u8;
    let level = rules.level(severity, likelihood);
    let surprise = if pval > 0.0 {
        (-pval.log10()).min(10.0)
    } else {
        10.0
    };
    let score = f64::from(severity) * f64::from(likelihood) + surprise / 10.0;
    evidence.truncate(rules.alert.max_evidence);

    Facts {
        category: series.category,
        cell: series.cell,
        counts: c,
        p_conditional,
        sources: sources.len(),
        channels: channels.len(),
        regulator,
        national_notice,
        inspection,
        city,
        local,
        severity,
        points,
        likelihood,
        level,
        not_elevated,
        score,
        hazards,
        evidence,
        ranked,
    }
}

/// The combined test across provinces (`[scope] combined_p`): with the provinces' p-values sorted
/// (a province not above its expectation counts as 1), the smallest P(Binomial(n, p(k)) ≥ k) over
/// k = `min_k` … n, times the number of k tried; and that k. Each province is (observed,
/// expected, p).
pub(super) fn combined_test(
    provinces: impl Iterator<Item = (f64, f64, f64)>,
    min_k: usize,
) -> (f64, usize) {
    let ps: Vec<f64> = provinces
        .map(|(observed, expected, p)| if observed > expected { p } else { 1.0 })
        .collect();
    combined_p_value(ps, min_k)
}

/// [`combined_test`] on the p-values themselves.
pub(super) fn combined_p_value(mut ps: Vec<f64>, min_k: usize) -> (f64, usize) {
    ps.sort_by(f64::total_cmp);
    let n = ps.len();
    let min_k = min_k.max(1);
    if n < min_k {
        return (1.0, 0);
    }
    let tries = (n + 1 - min_k) as f64;
    let mut best = (1.0, 0);
    for k in min_k..=n {
        let q = binomial_upper_tail(k as f64, n as f64, ps[k - 1]);
        if q < best.0 {
            best = (q, k);
        }
    }
    ((best.0 * tries).min(1.0), best.1)
}
