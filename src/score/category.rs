//! One category's cells scored: the scope decision (systemic, regional or none) from the nation's
//! and the provinces' tests, then the alerts and records of each cell in scope. Moved out of
//! `score/mod.rs`, which keeps the run around it (preparing, splitting categories over threads).

use super::*;

/// Scope decision and alerts for one category's cells (nation first, then provinces).
pub(super) fn score_category(ctx: &Ctx, keys: std::ops::Range<usize>, out: &mut ScoreOutput) {
    let rules = ctx.rules;
    let (table, rows) = (&ctx.prep.table, &ctx.prep.rows);
    let p = ctx.periods;
    let (factors, discounted) = plan::category_factors(rules, ctx.prep, p, ctx.days, keys.clone());
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
    let counted: Vec<Counts> = series.iter().map(|s| counts(rules, p, s)).collect();
    let (detailed, (combined_p, combined_k)) =
        plan::reading_rows(rules, table, keys.clone(), &counted, ctx.run.dismissed);
    let combined_candidate = combined_p < rules.scope.combined_p;
    let mut pool: Vec<&Signal> = Vec::new();
    for &j in &detailed {
        for r in rows.window(keys.start + j, p.window_start, p.as_of) {
            if let Some(s) = rows.signal(r, ctx.run.source) {
                series[j].window_signals.push(pool.len());
                pool.push(s);
            }
        }
    }
    let signals = pool.as_slice();
    // the days an alert's page charts: computed for the cells that become alerts only
    let days_of = |f: &Facts| {
        series
            .iter()
            .find(|s| s.cell == f.cell)
            .map(|s| daily(rules, p, s, &f.counts))
            .unwrap_or_default()
    };
    // The cells that read no rows have no window signals: their facts are their counts'.
    let all: Vec<Facts> = series
        .iter()
        .zip(&counted)
        .map(|(s, c)| facts_of(rules, signals, p, s, *c))
        .collect();
    let (nation, provinces): (Vec<&Facts>, Vec<&Facts>) =
        all.iter().partition(|f| f.cell == Cell::Nation);
    let nation = nation.first().copied();

    // Provinces with window signals, largest count first.
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
    let excess = |f: &Facts| (f.counts.observed - f.counts.expected).max(0.0);
    let provincial_excess: f64 = provinces.iter().map(|f| excess(f)).sum();
    let share_of_excess = |f: &Facts| {
        if provincial_excess > 0.0 {
            excess(f) / provincial_excess
        } else {
            0.0
        }
    };
    let concentrated = provinces
        .iter()
        .any(|f| f.counts.elevated && share_of_excess(f) >= rules.scope.concentration);

    // The provinces a national cell spans and the terms that explain its spread.
    // The provinces it covers: those at least `min_excess_ratio` above their expectation (in busy
    // categories every province has signals; listing all would say nothing).
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
    // The combined test's k provinces (lowest p first): spread thinly but together. They must be
    // a relevant rise together and not one province's.
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
    by_p.truncate(combined_k);
    let (k_obs, k_exp) = by_p.iter().fold((0.0, 0.0), |(o, e), f| {
        (o + f.counts.observed, e + f.counts.expected)
    });
    let k_top = by_p.iter().map(|f| f.counts.observed).fold(0.0, f64::max);
    // Issue 46: the combined test takes the provinces as independent and their baselines as
    // exact, so on its own it made systemic alerts out of chance; with `combined_min_raised` it
    // counts towards systemic only when that many provinces are themselves raised (0 by default:
    // a thin rise with none raised is issue 23's systemic case).
    let combined_rise = |n: &Facts| {
        combined_candidate
            && raised.len() >= rules.scope.combined_min_raised as usize
            && combined_k >= rules.scope.systemic_min_provinces as usize
            && n.counts.clusters >= rules.detect.min_clusters
            && n.counts.observed >= rules.detect.min_weight
            && n.counts.observed > n.counts.expected
            && k_exp > 0.0
            && k_obs / k_exp >= rules.scope.combined_min_ratio
            && k_top <= rules.scope.max_province_share * k_obs
    };
    let spread_terms = || {
        vec![
            term(
                "combined_p",
                combined_p,
                &format!(
                    "各省联合检验 combined test across provinces: min over k of P(Binomial(n, p(k)) ≥ k) × the k tried; systemic below {}",
                    stats::format_p(rules.scope.combined_p)
                ),
            ),
            term(
                "combined_provinces",
                combined_k as f64,
                "联合升高省份 the k provinces of the combined test",
            ),
            term(
                "provinces",
                placed.len() as f64,
                "涉及省份 provinces with signals in the window",
            ),
            term(
                "raised_provinces",
                raised.len() as f64,
                "升高省份 provinces above their own baseline (p < raised_p)",
            ),
            term(
                "top_province_share",
                top_share,
                "最大省份占比 largest province's share of the provinces' count",
            ),
        ]
    };
    // A rise spread over raised provinces is judged on those provinces' excess ratio: 2× in 9 of 31
    // provinces lifts the nation by a third only, yet it is the systemic problem to find.
    let raised_obs: f64 = raised.iter().map(|f| f.counts.observed).sum();
    let raised_exp: f64 = raised.iter().map(|f| f.counts.expected).sum();
    let spread_rise = |n: &Facts| {
        spread
            && n.counts.p < rules.detect.p_threshold
            && n.counts.clusters >= rules.detect.min_clusters
            && raised_exp > 0.0
            && raised_obs / raised_exp >= rules.detect.min_excess_ratio
    };
    if let Some(n) = nation.filter(|n| {
        ((n.counts.elevated && (spread || n.national_notice)) || spread_rise(n) || combined_rise(n))
            && !concentrated
    }) {
        let mut extra = spread_terms();
        extra.push(term(
            "national_notice",
            flag(n.national_notice),
            "国家级监管通报 national regulator notice (1 = yes)",
        ));
        extra.extend(discounted.iter().cloned());
        // A thin rise also names the k provinces the combined test found together, after those
        // `min_excess_ratio` above their expectation (instead of every province with signals
        // when none is).
        let thin_only = involved.is_empty() && combined_candidate && !by_p.is_empty();
        let mut listed: Vec<&str> = if thin_only { Vec::new() } else { names.clone() };
        if combined_candidate {
            for name in by_p.iter().filter_map(|f| province_name(f.cell)) {
                if !listed.contains(&name) {
                    listed.push(name);
                }
            }
        }
        let names = &listed;
        // With `notify_systemic`, a systemic alert is one more test of the category's day, held
        // to the same budget on the nation's own evidence: a spread of chance-raised provinces,
        // or the combined test across them (which takes the provinces as independent and their
        // baselines as exact), alone made half the false raises at a budget of 2. A thin rise
        // the combined test found is judged on that test's p-value when stronger: the nation's
        // own count hardly moves when eight provinces are each 1.5× (issue 23's systemic case).
        let gate = alert::Gate {
            evidence: if rules.action.notify_systemic {
                let combined = if combined_rise(n) { combined_p } else { 1.0 };
                alert::evidence(rules, n, combined)
            } else {
                0.0
            },
            alpha: notify_alpha,
        };
        let (action, why) = decide(rules, ctx.sample_alpha, n, Scope::Systemic, &gate);
        emit(
            ctx,
            signals,
            n,
            Scope::Systemic,
            names,
            action,
            why,
            extra,
            days_of(n),
            out,
        );
        return;
    }

    let mut regional = 0;
    for f in &provinces {
        let mut extra = vec![term(
            "share_of_excess",
            share_of_excess(f),
            "占各省超额比例 share of the provinces' summed excess (observed − expected)",
        )];
        extra.extend(discounted.iter().cloned());
        let name = province_name(f.cell).unwrap_or_default();
        if f.counts.elevated {
            // A day's actions depend on its data alone, so a planned replay (days scored in
            // parallel without history) gives every change of a full one; the hysteresis is
            // applied after the run (`hold`).
            let gate = alert::Gate {
                evidence: alert::evidence(rules, f, 1.0),
                alpha: notify_alpha,
            };
            let (action, why) = decide(rules, ctx.sample_alpha, f, Scope::Regional, &gate);
            if action != Action::Dismiss {
                regional += 1;
            }
            emit(
                ctx,
                signals,
                f,
                Scope::Regional,
                &[name],
                action,
                why,
                extra,
                days_of(f),
                out,
            );
        } else if ctx.run.dismissed
            && f.counts.clusters > 0
            && f.counts.observed > f.counts.expected
        {
            let why = f.not_elevated.clone().unwrap_or_default();
            emit(
                ctx,
                signals,
                f,
                Scope::Regional,
                &[name],
                Action::Dismiss,
                why,
                extra,
                days_of(f),
                out,
            );
        }
    }
    // A national rise that became no alert is recorded once (its provinces' cells are recorded
    // above); a nation cell that is not elevated adds nothing to them.
    if let Some(n) = nation.filter(|n| ctx.run.dismissed && regional == 0 && n.counts.elevated) {
        let why = match &n.not_elevated {
            Some(w) => w.clone(),
            None if concentrated => Why::new(
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
            signals,
            n,
            Scope::Systemic,
            &names,
            Action::Dismiss,
            why,
            spread_terms()
                .into_iter()
                .chain(discounted.iter().cloned())
                .collect(),
            days_of(n),
            out,
        );
    }
}

fn province_name<'s>(cell: Cell<'s>) -> Option<&'s str> {
    match cell {
        Cell::Province(p) => Some(p),
        Cell::Nation => None,
    }
}
