//! One category's cells scored, as named steps: [`gather`] reads its cells (series, counts, the
//! rows of those that may report, their facts); [`ScopeTests::of`] measures how a rise spreads
//! over its provinces; [`ScopeTests::systemic`] decides the scope from them (systemic, or each
//! province on its own); then [`emit_systemic`] makes the one national alert, or
//! [`emit_regional`] each province's, and [`record_national_rise`] a national rise that made none.
//! Moved out of `score/mod.rs`, which keeps the run around it (preparing, splitting categories
//! over threads).

use super::*;
use crate::model::{DayCount, ScoreTerm};

/// Scope decision and alerts for one category's cells (nation first, then provinces).
pub(super) fn score_category(ctx: &Ctx, keys: std::ops::Range<usize>, out: &mut ScoreOutput) {
    let cells = gather(ctx, keys);
    let (nation, provinces): (Vec<&Facts>, Vec<&Facts>) =
        cells.facts.iter().partition(|f| f.cell == Cell::Nation);
    let nation = nation.first().copied();
    let tests = ScopeTests::of(ctx.rules, &provinces, cells.combined_p, cells.combined_k);
    // A systemic alert stands for the whole category: its provinces make no alert or record.
    if let Some(n) = nation.filter(|n| tests.systemic(ctx.rules, n)) {
        emit_systemic(ctx, &cells, &tests, n, out);
        return;
    }
    let regional = emit_regional(ctx, &cells, &tests, &provinces, out);
    // A national rise that became no alert is recorded once (its provinces' cells are recorded
    // above); a nation cell that is not elevated adds nothing to them.
    if let Some(n) = nation.filter(|n| ctx.run.dismissed && regional == 0 && n.counts.elevated) {
        record_national_rise(ctx, &cells, &tests, n, out);
    }
}

/// A category's cells as the steps after [`gather`] read them.
struct Cells<'a> {
    /// Each cell's series, in key order (the nation's and the provinces').
    series: Vec<CellSeries<'a>>,
    /// The window signals of the cells that read their rows (`CellSeries::window_signals` and
    /// the facts' evidence index it).
    signals: Vec<&'a Signal>,
    /// Each cell's facts, in key order.
    facts: Vec<Facts<'a>>,
    /// The combined test across provinces: its p-value and its k provinces.
    combined_p: f64,
    combined_k: usize,
    /// The terms of the days discounted (outages, calendar) every alert of the category carries.
    discounted: Vec<ScoreTerm>,
    /// The new-notify threshold of this category's cells.
    notify_alpha: f64,
    /// The category's keys (the run-length rule scores past days of its cells).
    keys: std::ops::Range<usize>,
}

impl Cells<'_> {
    /// The days an alert's page charts: computed for the cells that become alerts only.
    fn days_of(&self, ctx: &Ctx, f: &Facts) -> Vec<DayCount> {
        self.series
            .iter()
            .find(|s| s.cell == f.cell)
            .map(|s| daily(ctx.rules, ctx.periods, s, &f.counts))
            .unwrap_or_default()
    }
}

/// A category's cells read for scoring: each cell's series and counts, then the rows of only
/// those that may become an alert or a record (reading every cell's rows would cost the run its
/// second pass's saving), and every cell's facts.
fn gather<'a>(ctx: &Ctx<'a, '_>, keys: std::ops::Range<usize>) -> Cells<'a> {
    let rules = ctx.rules;
    let (table, rows) = (&ctx.prep.table, &ctx.prep.rows);
    let p = ctx.periods;
    let (factors, discounted) = plan::category_factors(rules, ctx.prep, p, ctx.days, keys.clone());
    let all_keys = keys.clone();
    // Issue 46: the new-notify threshold spreads the budget over the cells this category scans.
    let notify_alpha = rules.notify_alpha(keys.len());
    let mut series: Vec<CellSeries> = keys
        .clone()
        .map(|k| {
            let mut s = table.series(k, p, &factors);
            plan::run_series(table, k, p, &factors, &mut s);
            s
        })
        .collect();
    // Counts first; only the cells that may become an alert or a record read their rows.
    let mut priors = plan::Priors::of(rules, table, keys.clone(), p);
    let counted: Vec<Counts> = series
        .iter()
        .enumerate()
        .map(|(j, s)| priors.counts(rules, p, j, s))
        .collect();
    let (detailed, (combined_p, combined_k)) =
        plan::reading_rows(rules, table, keys.clone(), &counted, ctx.run.dismissed);
    let mut signals: Vec<&Signal> = Vec::new();
    for &j in &detailed {
        for r in rows.window(keys.start + j, p.window_start, p.as_of) {
            if let Some(s) = rows.signal(r, ctx.run.source) {
                series[j].window_signals.push(signals.len());
                signals.push(s);
            }
        }
    }
    // The cells that read no rows have no window signals: their facts are their counts'.
    let facts: Vec<Facts> = series
        .iter()
        .zip(&counted)
        .map(|(s, c)| facts_of(rules, &signals, p, s, *c))
        .collect();
    Cells {
        series,
        signals,
        facts,
        combined_p,
        combined_k,
        discounted,
        notify_alpha,
        keys: all_keys,
    }
}

/// How a category's rise spreads over its provinces: what the scope decision reads, and the
/// terms that explain it on a national cell's breakdown.
struct ScopeTests<'f> {
    /// Provinces with window signals, largest count first.
    placed: Vec<&'f Facts<'f>>,
    /// The largest province's share of the placed provinces' count.
    top_share: f64,
    /// Provinces each above its own baseline (p < raised_p).
    raised: Vec<&'f Facts<'f>>,
    /// Enough provinces raised, none carrying most of the count.
    spread: bool,
    /// The provinces' summed excess over their expectations.
    provincial_excess: f64,
    /// One elevated province carries most of that excess.
    concentrated: bool,
    /// Placed provinces at least `min_excess_ratio` above their expectation.
    involved: Vec<&'f Facts<'f>>,
    /// The provinces a national cell names: the involved ones, or every placed one if none is.
    names: Vec<&'f str>,
    /// The combined test's k provinces, lowest p first, and its result.
    by_p: Vec<&'f Facts<'f>>,
    combined_p: f64,
    combined_k: usize,
    /// The combined test's p-value is below `combined_p`.
    combined_candidate: bool,
    /// The k provinces' summed count and expectation, and the largest one's count.
    k_obs: f64,
    k_exp: f64,
    k_top: f64,
    /// The raised provinces' summed count and expectation.
    raised_obs: f64,
    raised_exp: f64,
}

impl<'f> ScopeTests<'f> {
    /// The scope's measures over a category's provinces and its combined test's result.
    fn of(
        rules: &ScoringRules,
        provinces: &[&'f Facts<'f>],
        combined_p: f64,
        combined_k: usize,
    ) -> ScopeTests<'f> {
        let placed = by_count(provinces);
        let placed_total: f64 = placed.iter().map(|f| f.counts.observed).sum();
        let top_share = placed.first().map_or(0.0, |f| {
            if placed_total > 0.0 {
                f.counts.observed / placed_total
            } else {
                0.0
            }
        });
        // Raised provinces: each above its own baseline (p < raised_p). With 31 provinces, chance
        // alone rarely raises several at once; one province's outbreak lifts the nation, not others.
        let raised: Vec<&Facts> = placed
            .iter()
            .copied()
            .filter(|f| {
                alert::scope_p(rules, &f.counts) < rules.scope.raised_p
                    && f.counts.observed > f.counts.expected
            })
            .collect();
        let spread = raised.len() >= rules.scope.systemic_min_provinces as usize
            && top_share <= rules.scope.max_province_share;
        // Where the rise is: each province's share of the provinces' summed excess. Nationwide and
        // unplaced signals say nothing about where, so they are not in the denominator.
        let provincial_excess: f64 = provinces.iter().map(|f| excess(f)).sum();
        // The provinces a national cell covers: those at least `min_excess_ratio` above their
        // expectation (in busy categories every province has signals; listing all would say
        // nothing).
        let involved: Vec<&Facts> = placed
            .iter()
            .copied()
            .filter(|f| f.counts.observed >= rules.detect.min_excess_ratio * f.counts.expected)
            .collect();
        let names: Vec<&str> = if involved.is_empty() {
            &placed
        } else {
            &involved
        }
        .iter()
        .filter_map(|f| province_name(f.cell))
        .collect();
        let by_p = lowest_p(rules, provinces, combined_k);
        let (k_obs, k_exp) = by_p.iter().fold((0.0, 0.0), |(o, e), f| {
            (o + f.counts.observed, e + f.counts.expected)
        });
        let mut tests = ScopeTests {
            k_top: by_p.iter().map(|f| f.counts.observed).fold(0.0, f64::max),
            raised_obs: raised.iter().map(|f| f.counts.observed).sum(),
            raised_exp: raised.iter().map(|f| f.counts.expected).sum(),
            placed,
            top_share,
            raised,
            spread,
            provincial_excess,
            concentrated: false,
            involved,
            names,
            by_p,
            combined_p,
            combined_k,
            combined_candidate: combined_p < rules.scope.combined_p,
            k_obs,
            k_exp,
        };
        tests.concentrated = provinces
            .iter()
            .any(|f| f.counts.elevated && tests.share_of_excess(f) >= rules.scope.concentration);
        tests
    }

    /// A province's share of the provinces' summed excess (0 when none is above expectation).
    fn share_of_excess(&self, f: &Facts) -> f64 {
        if self.provincial_excess > 0.0 {
            excess(f) / self.provincial_excess
        } else {
            0.0
        }
    }

    /// The nation's rise is the category's problem, not one province's: an alert of its own
    /// elevation when spread or backed by a national notice, a spread rise, or a thin rise the
    /// combined test found; never when one province carries most of the excess.
    fn systemic(&self, rules: &ScoringRules, n: &Facts) -> bool {
        ((n.counts.elevated && (self.spread || n.national_notice))
            || self.spread_rise(rules, n)
            || self.combined_rise(rules, n))
            && !self.concentrated
    }

    /// Issue 46: the combined test takes the provinces as independent and their baselines as
    /// exact, so on its own it made systemic alerts out of chance; with `combined_min_raised` it
    /// counts towards systemic only when that many provinces are themselves raised (0 by default:
    /// a thin rise with none raised is issue 23's systemic case). The k provinces must be a
    /// relevant rise together and not one province's.
    fn combined_rise(&self, rules: &ScoringRules, n: &Facts) -> bool {
        self.combined_candidate
            && self.raised.len() >= rules.scope.combined_min_raised as usize
            && self.combined_k >= rules.scope.systemic_min_provinces as usize
            && n.counts.clusters >= rules.detect.min_clusters
            && n.counts.observed >= rules.detect.min_weight
            && n.counts.observed > n.counts.expected
            && self.k_exp > 0.0
            && self.k_obs / self.k_exp >= rules.scope.combined_min_ratio
            && self.k_top <= rules.scope.max_province_share * self.k_obs
    }

    /// A rise spread over raised provinces is judged on those provinces' excess ratio: 2× in 9 of
    /// 31 provinces lifts the nation by a third only, yet it is the systemic problem to find.
    fn spread_rise(&self, rules: &ScoringRules, n: &Facts) -> bool {
        self.spread
            && n.counts.p < rules.detect.p_threshold
            && n.counts.clusters >= rules.detect.min_clusters
            && self.raised_exp > 0.0
            && self.raised_obs / self.raised_exp >= rules.detect.min_excess_ratio
    }

    /// The terms that explain a national cell's spread on its breakdown.
    fn terms(&self, rules: &ScoringRules) -> Vec<ScoreTerm> {
        vec![
            term(
                "combined_p",
                self.combined_p,
                &format!(
                    "各省联合检验 combined test across provinces: min over k of P(Binomial(n, p(k)) ≥ k) × the k tried; systemic below {}",
                    stats::format_p(rules.scope.combined_p)
                ),
            ),
            term(
                "combined_provinces",
                self.combined_k as f64,
                "联合升高省份 the k provinces of the combined test",
            ),
            term(
                "provinces",
                self.placed.len() as f64,
                "涉及省份 provinces with signals in the window",
            ),
            term(
                "raised_provinces",
                self.raised.len() as f64,
                "升高省份 provinces above their own baseline (p < raised_p)",
            ),
            term(
                "top_province_share",
                self.top_share,
                "最大省份占比 largest province's share of the provinces' count",
            ),
        ]
    }
}

/// A province's count above its expectation (0 below it).
fn excess(f: &Facts) -> f64 {
    (f.counts.observed - f.counts.expected).max(0.0)
}

/// Provinces with window signals, largest count first.
fn by_count<'f>(provinces: &[&'f Facts<'f>]) -> Vec<&'f Facts<'f>> {
    let mut placed: Vec<&Facts> = provinces
        .iter()
        .copied()
        .filter(|f| f.counts.clusters > 0)
        .collect();
    placed.sort_by(|a, b| {
        b.counts
            .observed
            .total_cmp(&a.counts.observed)
            .then(a.cell.cmp(&b.cell))
    });
    placed
}

/// The combined test's k provinces (lowest p first): spread thinly but together.
fn lowest_p<'f>(rules: &ScoringRules, provinces: &[&'f Facts<'f>], k: usize) -> Vec<&'f Facts<'f>> {
    let mut by_p: Vec<&Facts> = provinces
        .iter()
        .copied()
        .filter(|f| f.counts.observed > f.counts.expected)
        .collect();
    by_p.sort_by(|a, b| {
        alert::scope_p(rules, &a.counts)
            .total_cmp(&alert::scope_p(rules, &b.counts))
            .then(a.cell.cmp(&b.cell))
    });
    by_p.truncate(k);
    by_p
}

/// The one alert of a systemic category, on the nation's cell: its spread's terms, the provinces
/// it spans, and its action under the same budget as a province's.
fn emit_systemic(ctx: &Ctx, cells: &Cells, tests: &ScopeTests, n: &Facts, out: &mut ScoreOutput) {
    let rules = ctx.rules;
    let mut extra = tests.terms(rules);
    extra.push(term(
        "national_notice",
        flag(n.national_notice),
        "国家级监管通报 national regulator notice (1 = yes)",
    ));
    extra.extend(cells.discounted.iter().cloned());
    // A thin rise also names the k provinces the combined test found together, after those
    // `min_excess_ratio` above their expectation (instead of every province with signals
    // when none is).
    let thin_only = tests.involved.is_empty() && tests.combined_candidate && !tests.by_p.is_empty();
    let mut listed: Vec<&str> = if thin_only {
        Vec::new()
    } else {
        tests.names.clone()
    };
    if tests.combined_candidate {
        for name in tests.by_p.iter().filter_map(|f| province_name(f.cell)) {
            if !listed.contains(&name) {
                listed.push(name);
            }
        }
    }
    // With `notify_systemic`, a systemic alert is one more test of the category's day, held
    // to the same budget on the nation's own evidence: a spread of chance-raised provinces,
    // or the combined test across them (which takes the provinces as independent and their
    // baselines as exact), alone made half the false raises at a budget of 2. A thin rise
    // the combined test found is judged on that test's p-value when stronger: the nation's
    // own count hardly moves when eight provinces are each 1.5× (issue 23's systemic case).
    let gate = alert::Gate {
        evidence: if rules.action.notify_systemic {
            let combined = if tests.combined_rise(rules, n) {
                tests.combined_p
            } else {
                1.0
            };
            alert::evidence(rules, n, combined)
        } else {
            0.0
        },
        alpha: cells.notify_alpha,
    };
    let (action, why) = decide(rules, ctx.sample_alpha, n, Scope::Systemic, &gate);
    emit(
        ctx,
        &cells.signals,
        n,
        Scope::Systemic,
        &listed,
        action,
        why,
        extra,
        cells.days_of(ctx, n),
        out,
    );
}

/// Each province on its own, when the category is not systemic: an alert for an elevated one
/// (or a record when its action is dismiss), and a record for one above its expectation but not
/// elevated. Returns how many provinces made an alert.
fn emit_regional(
    ctx: &Ctx,
    cells: &Cells,
    tests: &ScopeTests,
    provinces: &[&Facts],
    out: &mut ScoreOutput,
) -> usize {
    let rules = ctx.rules;
    let mut regional = 0;
    for f in provinces {
        let mut extra = vec![term(
            "share_of_excess",
            tests.share_of_excess(f),
            "占各省超额比例 share of the provinces' summed excess (observed − expected)",
        )];
        extra.extend(cells.discounted.iter().cloned());
        let name = province_name(f.cell).unwrap_or_default();
        let (action, why) = if f.counts.elevated {
            // A day's actions depend on its data alone, so a planned replay (days scored in
            // parallel without history) gives every change of a full one; the hysteresis is
            // applied after the run (`hold`).
            let gate = alert::Gate {
                evidence: alert::evidence(rules, f, 1.0),
                alpha: cells.notify_alpha,
            };
            let (action, why) = decide(rules, ctx.sample_alpha, f, Scope::Regional, &gate);
            let (action, why) = run_length(ctx, cells, f, &gate, action, why);
            if action != Action::Dismiss {
                regional += 1;
            }
            (action, why)
        } else if ctx.run.dismissed
            && f.counts.clusters > 0
            && f.counts.observed > f.counts.expected
        {
            let why = f.not_elevated.clone().unwrap_or_default();
            (Action::Dismiss, why)
        } else {
            continue;
        };
        emit(
            ctx,
            &cells.signals,
            f,
            Scope::Regional,
            &[name],
            action,
            why,
            extra,
            cells.days_of(ctx, f),
            out,
        );
    }
    regional
}

/// The record of a national rise that made no alert (its provinces made none either), with why:
/// the nation's own reason if it has one, else one province explaining it, else neither spread
/// nor a national notice.
fn record_national_rise(
    ctx: &Ctx,
    cells: &Cells,
    tests: &ScopeTests,
    n: &Facts,
    out: &mut ScoreOutput,
) {
    let why = match &n.not_elevated {
        Some(w) => w.clone(),
        None if tests.concentrated => Why::new(
            "全国升高由单一省份造成",
            "national rise explained by one province",
        ),
        None => Why::new(
            "全国升高，但未扩散且无国家级通报",
            "national rise, neither spread nor backed by a national notice",
        ),
    };
    emit(
        ctx,
        &cells.signals,
        n,
        Scope::Systemic,
        &tests.names,
        Action::Dismiss,
        why,
        tests
            .terms(ctx.rules)
            .into_iter()
            .chain(cells.discounted.iter().cloned())
            .collect(),
        cells.days_of(ctx, n),
        out,
    );
}

fn province_name<'s>(cell: Cell<'s>) -> Option<&'s str> {
    match cell {
        Cell::Province(p) => Some(p),
        Cell::Nation => None,
    }
}

/// Issue 46's run-length rule (`[action] notify_run_days`): a province's `notify` whose evidence
/// is not `notify_run_strong` × the threshold stays a `notify` only when its gate also passed on
/// enough of the days before (`super::run_length`); otherwise it is dismissed, saying why.
/// `sample` and `dismiss` are unchanged.
fn run_length(
    ctx: &Ctx,
    cells: &Cells,
    f: &Facts,
    gate: &alert::Gate,
    action: Action,
    why: Why,
) -> (Action, Why) {
    let a = &ctx.rules.action;
    let need = a.notify_run_days;
    if action != Action::Notify || need <= 1 || gate.evidence < gate.alpha * a.notify_run_strong {
        return (action, why);
    }
    let Some(j) = cells.facts.iter().position(|g| g.cell == f.cell) else {
        return (action, why);
    };
    let back = a.notify_run_of.max(need) - 1;
    if super::run_length::held(ctx, cells.keys.clone(), j, gate.alpha, need - 1, back) {
        return (action, why);
    }
    (
        Action::Dismiss,
        Why::new(
            format!(
                "通报证据仅持续不足{}天（近{}天内），且不够强",
                need,
                back + 1
            ),
            format!(
                "notify evidence held on fewer than {need} of the last {} days and is not strong",
                back + 1
            ),
        ),
    )
}
