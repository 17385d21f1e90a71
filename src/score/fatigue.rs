//! Alert fatigue: what suppression saves an analyst over a stream of alert changes.
//!
//! A replay of scoring gives every alert change day by day. An analyst who dismisses each false
//! `sample` alert the day it is raised (the alert an analyst would judge false: `is_false`) sees
//! it again only when it escalates past the dismissal — the rule `review::triage::suppress`
//! applies to a live scoring run (here over a replay's changes, so the simulation can measure it). [`apply_dismissals`] plays that analyst over the stream and
//! returns the changes the analyst still sees.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::{AlertChange, Change};
use crate::model::Action;

/// What a dismissal does to an alert seen again: the one rule of suppression, used by the live
/// scoring run (`review::triage::suppress`) and by [`apply_dismissals`] over a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Past the window: the dismissal is spent.
    Expired,
    /// The level rose or a region was added: the alert is raised again.
    Escalated,
    /// The alert stays dismissed.
    Holds,
}

/// The dismissal made on `on` of an alert at `level` over `regions`, holding for `days`, against
/// the alert on `day` at `now_level` over `now_regions`.
pub fn dismissal_hold(
    (on, level, regions): (NaiveDate, u8, &[String]),
    days: u32,
    day: NaiveDate,
    now_level: u8,
    now_regions: &[String],
) -> Hold {
    if day > on + Duration::days(i64::from(days)) {
        Hold::Expired
    } else if now_level > level || now_regions.iter().any(|r| !regions.contains(r)) {
        Hold::Escalated
    } else {
        Hold::Holds
    }
}

/// What an analyst still sees of `changes` after dismissing every false sample alert when it is
/// raised, with dismissals holding `days` (level and regions not rising), and how many raises
/// (new or escalated) were suppressed.
pub fn apply_dismissals(
    changes: &[AlertChange],
    is_false: impl Fn(&AlertChange) -> bool,
    days: u32,
) -> (Vec<AlertChange>, usize) {
    // alert id → (dismissed on, level, regions)
    let mut dismissed: HashMap<&str, (NaiveDate, u8, &[String])> = HashMap::new();
    let mut seen = Vec::with_capacity(changes.len());
    let mut suppressed = 0;
    for c in changes {
        let raise = matches!(c.change, Change::New | Change::Escalated);
        if let Some(&d) = dismissed.get(c.alert_id.as_str()) {
            if dismissal_hold(d, days, c.day, c.level, &c.regions) == Hold::Holds {
                if raise {
                    suppressed += 1;
                }
                continue;
            }
            dismissed.remove(c.alert_id.as_str());
        }
        if raise && c.action == Action::Sample && is_false(c) {
            dismissed.insert(&c.alert_id, (c.day, c.level, &c.regions));
        }
        seen.push(c.clone());
    }
    (seen, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    fn change(day: i64, id: &str, change: Change, level: u8) -> AlertChange {
        AlertChange {
            day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(day),
            alert_id: id.into(),
            change,
            category: "电热毯".into(),
            scope: Scope::Regional,
            regions: vec!["浙江省".into()],
            level,
            action: Action::Sample,
            score: 1.0,
            fired: Default::default(),
        }
    }

    #[test]
    fn a_dismissed_false_alert_stays_quiet_until_it_escalates_or_the_window_ends() {
        let stream = vec![
            change(0, "A", Change::New, 2),
            change(3, "A", Change::Closed, 2),
            change(5, "A", Change::New, 2),         // suppressed
            change(6, "A", Change::Escalated, 3),   // escalation: seen, and dismissed again
            change(8, "A", Change::Deescalated, 2), // below the new dismissal: suppressed
            change(50, "A", Change::New, 2),        // past the window of 30 days: seen
            change(1, "B", Change::New, 2),         // true: never dismissed
            change(4, "B", Change::Closed, 2),
            change(6, "B", Change::New, 2),
        ];
        let (seen, suppressed) = apply_dismissals(&stream, |c| c.alert_id == "A", 30);
        let days: Vec<(String, i64)> = seen
            .iter()
            .map(|c| (c.alert_id.clone(), (c.day - stream[0].day).num_days()))
            .collect();
        assert_eq!(
            days,
            [("A", 0), ("A", 6), ("A", 50), ("B", 1), ("B", 4), ("B", 6)]
                .map(|(a, d)| (a.to_string(), d))
        );
        assert_eq!(
            suppressed, 1,
            "one raise (day 5) held back; day 3 and 8 are not raises"
        );
    }
}
