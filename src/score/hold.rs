//! Hysteresis (issue 46): an alert that drops and comes back within `[action] hold_days` is the
//! same alert, never a new notification. This module owns carrying the previous run's alerts
//! that a run did not raise again, while their cell last alerted no more than `hold_days` days
//! ago.
//!
//! Why here and not in the tests of a cell: a day's alerts are decided from its data alone (a
//! planned replay scores days in parallel without history), so the hold is applied after the
//! run, to its output and the previous run's alerts — by a single run given the stored alerts as
//! history, and by the replay day after day — and both see the same alerts. Measured on the
//! simulated hard years (`super::oracle`): about one false raise in six re-raised an alert closed
//! less than a week before.
//!
//! A held alert keeps what it said the last day its cell alerted (level, action, breakdown,
//! `updated`), its status `ongoing`, and a breakdown term `held_days`. It is not carried when the
//! run raises an alert of its category with the other scope (a systemic alert folds in the
//! provinces: never both). A held `sample` alert keeps its sampling request too
//! ([`keep_held_requests`]): the request is drafted from the window's signals, which a held
//! alert's run did not read, so the caller that stored it hands it back.

use chrono::NaiveDate;

use super::ScoreOutput;
use super::breakdown::term;
use crate::model::{Action, Alert, AlertStatus, SamplingRequest};

/// The breakdown term of a held alert.
const HELD: &str = "held_days";

/// Add to `out` the alerts of `previous` it does not raise again and that last alerted (their
/// `updated` day) at most `hold_days` before `as_of`; a dismissed record of the same id gives way
/// to the held alert. The alerts stay ranked (level, then score, descending, then id).
pub(super) fn hold(previous: &[Alert], out: &mut ScoreOutput, as_of: NaiveDate, hold_days: u32) {
    if hold_days == 0 {
        return;
    }
    let mut held = Vec::new();
    for p in previous {
        let since = (as_of - p.updated).num_days();
        let raised = |a: &Alert| a.id == p.id || (a.category == p.category && a.scope != p.scope);
        if p.action == Action::Dismiss
            || since <= 0
            || since > i64::from(hold_days)
            || out.alerts.iter().any(raised)
        {
            continue;
        }
        let mut a = p.clone();
        a.status = AlertStatus::Ongoing;
        a.breakdown.retain(|t| t.name != HELD);
        a.breakdown.push(term(
            HELD,
            since as f64,
            &format!(
                "保持 held: days since the cell last alerted; the same alert comes back within \
                 {hold_days} days, after them it closes"
            ),
        ));
        held.push(a);
    }
    if held.is_empty() {
        return;
    }
    out.dismissed
        .retain(|d| !held.iter().any(|h: &Alert| h.id == d.id));
    out.alerts.extend(held);
    out.alerts.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Whether an alert is held (`hold`): its cell did not alert in this run.
pub fn is_held(a: &Alert) -> bool {
    a.breakdown.iter().any(|t| t.name == HELD)
}

/// Give each held `sample` alert of `out` without a sampling request the one `stored` holds for
/// it (the request of the run its cell last alerted in, as the caller stored it), so a held
/// alert asks for the same sampling while it is held instead of losing its request; the requests
/// stay in the alerts' order. Returns how many were kept.
pub fn keep_held_requests<E>(
    out: &mut ScoreOutput,
    mut stored: impl FnMut(&str) -> Result<Option<SamplingRequest>, E>,
) -> Result<usize, E> {
    let mut kept = 0;
    for a in &out.alerts {
        if a.action != Action::Sample
            || !is_held(a)
            || out.sampling.iter().any(|r| r.alert_id == a.id)
        {
            continue;
        }
        if let Some(r) = stored(&a.id)? {
            out.sampling.push(r);
            kept += 1;
        }
    }
    if kept > 0 {
        let order = |id: &str| out.alerts.iter().position(|a| a.id == id);
        let mut sampling = std::mem::take(&mut out.sampling);
        sampling.sort_by_key(|r| order(&r.alert_id).unwrap_or(usize::MAX));
        out.sampling = sampling;
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    fn alert(id: &str, scope: Scope, updated: u32, level: u8) -> Alert {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        Alert {
            id: id.into(),
            category: "电热毯".into(),
            hazards: vec![],
            scope,
            regions: vec![],
            level,
            action: Action::Notify,
            score: f64::from(level),
            breakdown: vec![],
            evidence: vec![],
            first_seen: day,
            updated: day + chrono::Days::new(u64::from(updated)),
            status: AlertStatus::New,
            summary: String::new(),
            reasons: vec![],
            daily: vec![],
            jurisdictions: vec![],
        }
    }

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(n)
    }

    #[test]
    fn a_dropped_alert_is_held_for_hold_days_then_closes() {
        let previous = vec![alert("a", Scope::Regional, 0, 3)];
        let mut out = ScoreOutput::default();
        out.alerts.push(alert("b", Scope::Regional, 7, 4));
        hold(&previous, &mut out, day(7), 7);
        let ids: Vec<&str> = out.alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["b", "a"], "held, ranked below the stronger alert");
        let a = &out.alerts[1];
        assert_eq!(a.status, AlertStatus::Ongoing);
        assert_eq!(
            a.updated,
            day(0),
            "a held alert keeps its last alerting day"
        );
        assert_eq!(
            a.breakdown.iter().find(|t| t.name == HELD).map(|t| t.value),
            Some(7.0)
        );

        let mut later = ScoreOutput::default();
        hold(&out.alerts, &mut later, day(8), 7);
        assert!(
            later.alerts.iter().all(|x| x.id != "a"),
            "closed after 7 days"
        );
        assert!(later.alerts.iter().any(|x| x.id == "b"));

        let mut off = ScoreOutput::default();
        hold(&previous, &mut off, day(1), 0);
        assert!(off.alerts.is_empty(), "hold_days 0: no hysteresis");
    }

    #[test]
    fn a_raised_alert_or_one_of_the_other_scope_is_not_held() {
        let previous = vec![
            alert("a", Scope::Regional, 0, 3),
            alert("s", Scope::Systemic, 0, 3),
        ];
        let mut out = ScoreOutput::default();
        out.alerts.push(alert("a", Scope::Regional, 2, 2));
        hold(&previous, &mut out, day(2), 7);
        let ids: Vec<&str> = out.alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            ["a"],
            "a raised again (its own record), s folded by the other scope"
        );
        assert_eq!(out.alerts[0].level, 2);

        let mut out = ScoreOutput::default();
        out.dismissed.push(alert("a", Scope::Regional, 2, 2));
        hold(&previous, &mut out, day(2), 7);
        assert_eq!(out.alerts.len(), 2);
        assert!(
            out.dismissed.is_empty(),
            "the record gives way to the held alert"
        );
    }

    fn request(id: &str) -> SamplingRequest {
        SamplingRequest {
            alert_id: id.into(),
            category: "电热毯".into(),
            test_items: vec!["过热保护".into()],
            regions: vec![],
            platforms: vec![],
            shops: vec!["某店".into()],
            brands: vec![],
            enterprises: vec![],
            batches: 6,
            deadline: day(30),
            purchases: vec![],
            items: vec![],
            reason: String::new(),
        }
    }

    #[test]
    fn a_held_sample_alert_keeps_its_stored_sampling_request() {
        let mut sampled = alert("s", Scope::Regional, 0, 4);
        sampled.action = Action::Sample;
        let mut notified = alert("n", Scope::Regional, 0, 4);
        notified.score = 5.0;
        let previous = vec![sampled, notified];
        let mut out = ScoreOutput::default();
        let mut raised = alert("r", Scope::Regional, 2, 4);
        raised.action = Action::Sample;
        raised.score = 9.0;
        out.alerts.push(raised);
        out.sampling.push(request("r"));
        hold(&previous, &mut out, day(2), 7);
        let mut asked = Vec::new();
        let kept = keep_held_requests(&mut out, |id| {
            asked.push(id.to_string());
            Ok::<_, ()>(Some(request(id)))
        })
        .unwrap();
        assert_eq!(kept, 1);
        assert_eq!(asked, ["s"], "only the held sample alert without a request");
        let ids: Vec<&str> = out.sampling.iter().map(|r| r.alert_id.as_str()).collect();
        assert_eq!(ids, ["r", "s"], "in the alerts' order");
        assert_eq!(
            out.sampling[1].shops,
            ["某店"],
            "the stored request, as drafted"
        );

        // Nothing stored: nothing invented; an error of the store is the caller's.
        let mut none = ScoreOutput::default();
        hold(&previous, &mut none, day(2), 7);
        assert_eq!(keep_held_requests(&mut none, |_| Ok::<_, ()>(None)), Ok(0));
        assert!(none.sampling.is_empty());
        assert_eq!(
            keep_held_requests(&mut none, |_| Err("store")),
            Err("store")
        );
    }
}
