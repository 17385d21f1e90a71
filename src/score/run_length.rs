//! Issue 46's run-length rule for regional notifies (`[action] notify_run_days`,
//! `notify_run_of`, `notify_run_strong`): a province's new `notify` needs its notify gate passed
//! on enough of the last days, unless its evidence is far stronger than the threshold.
//!
//! Why: nearly all false notifications are single provinces crossing the line on one day by
//! chance; a real rise keeps crossing it. The past days are scored again from the data (their
//! counts only, for the one cell), not read from earlier runs, so a day's decisions still
//! depend on its data alone and a replay gives what single runs give.

use std::ops::Range;

use chrono::Days;

use super::aggregate::Periods;
use super::{Ctx, plan};

/// Whether cell `j` of the category `keys` (nation first) held its evidence on at least `need`
/// of the `back` days before the run's day: above its expectation with evidence below
/// `notify_run_past` × `alpha` (elevated with evidence below `alpha` when that is 1). A rise
/// building up counts on the days before it crossed the threshold; a one-day chance spike's
/// day before is an ordinary day.
pub(super) fn held(
    ctx: &Ctx,
    keys: Range<usize>,
    j: usize,
    alpha: f64,
    need: u32,
    back: u32,
) -> bool {
    let rules = ctx.rules;
    let table = &ctx.prep.table;
    let nation = table.keys[keys.start].province.is_none();
    let mut passed = 0;
    for b in 1..=back {
        if passed >= need {
            break;
        }
        // Not enough days left to reach `need`.
        if passed + (back - b + 1) < need {
            break;
        }
        let Some(as_of) = ctx.periods.as_of.checked_sub_days(Days::new(u64::from(b))) else {
            break;
        };
        let p = Periods::new(&rules.window, as_of);
        let days = ctx.prep.disturb.run_days(&p);
        let (factors, _) = plan::category_factors(rules, ctx.prep, &p, &days, keys.clone());
        let mut priors = plan::Priors::of(rules, table, keys.clone(), &p);
        // The province's prior reads the nation's baseline rate: count the nation first.
        if nation && j != 0 && rules.province_prior.enabled {
            let mut s = table.series(keys.start, &p, &factors);
            plan::run_series(table, keys.start, &p, &factors, &mut s);
            priors.counts(rules, &p, 0, &s);
        }
        let k = keys.start + j;
        let mut s = table.series(k, &p, &factors);
        plan::run_series(table, k, &p, &factors, &mut s);
        let c = priors.counts(rules, &p, j, &s);
        let past = alpha * rules.action.notify_run_past;
        let rising = if rules.action.notify_run_past > 1.0 {
            c.observed > c.expected
        } else {
            c.elevated
        };
        if rising && super::alert::counts_evidence(rules, &c) < past {
            passed += 1;
        }
    }
    passed >= need
}
