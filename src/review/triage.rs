//! Triage: the states an alert or a case moves through, and what a dismissal buys.
//!
//! new → under review → confirmed or dismissed → closed; a closed or dismissed item may be
//! reopened for review. Every change names who made it and when (the store keeps the history).
//! A dismissed alert is not raised again on the same evidence for `[suppression] days`: its
//! action becomes `dismiss` and its breakdown says who dismissed it, when, why and until when —
//! unless it escalates (its level rises or its regions widen), which ends the suppression.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::rules::SuppressionRules;
use crate::model::{Action, Alert, ScoreTerm, china_day};
use crate::score::fatigue::{Hold, dismissal_hold};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriageState {
    New,
    Review,
    Confirmed,
    Dismissed,
    Closed,
}

impl TriageState {
    pub const ALL: [TriageState; 5] = [
        TriageState::New,
        TriageState::Review,
        TriageState::Confirmed,
        TriageState::Dismissed,
        TriageState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriageState::New => "new",
            TriageState::Review => "review",
            TriageState::Confirmed => "confirmed",
            TriageState::Dismissed => "dismissed",
            TriageState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<TriageState> {
        TriageState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The changes allowed from here.
    pub fn next(self) -> &'static [TriageState] {
        use TriageState::*;
        match self {
            New => &[Review],
            Review => &[Confirmed, Dismissed],
            Confirmed => &[Closed, Review],
            Dismissed => &[Closed, Review],
            Closed => &[Review],
        }
    }

    pub fn can_become(self, to: TriageState) -> bool {
        self.next().contains(&to)
    }
}

/// One recorded change of an alert's or case's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageChange {
    /// `alert` or `case`.
    pub subject: String,
    pub id: String,
    pub from: TriageState,
    pub to: TriageState,
    /// A dismissal reason key of the rules, or free text; may be empty otherwise.
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What a dismissal of an alert held when it was made: suppression compares against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dismissal {
    pub alert_id: String,
    pub level: u8,
    pub regions: Vec<String>,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Apply dismissals to a scoring run's alerts (as of `today`); returns the ids suppressed.
/// `label` turns a reason key into what the breakdown shows.
pub fn suppress(
    alerts: &mut [Alert],
    dismissals: &std::collections::HashMap<String, Dismissal>,
    today: NaiveDate,
    rules: &SuppressionRules,
    label: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for a in alerts.iter_mut() {
        let Some(d) = dismissals.get(&a.id) else {
            continue;
        };
        let on = china_day(d.at);
        let until = on + Duration::days(i64::from(rules.days));
        match dismissal_hold(
            (on, d.level, &d.regions),
            rules.days,
            today,
            a.level,
            &a.regions,
        ) {
            Hold::Expired => continue,
            Hold::Escalated => {
                a.breakdown.push(ScoreTerm {
                    name: "suppression_ended".into(),
                    value: f64::from(a.level),
                    note: format!(
                        "{} 于 {on} 以「{}」驳回（等级 {}），此后{}，重新提示",
                        d.by,
                        label(&d.reason),
                        d.level,
                        if a.level > d.level {
                            format!("等级升至 {}", a.level)
                        } else {
                            "范围扩大".to_string()
                        }
                    ),
                });
                continue;
            }
            Hold::Holds => {}
        }
        a.action = Action::Dismiss;
        a.breakdown.push(ScoreTerm {
            name: "suppressed".into(),
            value: (until - today).num_days() as f64,
            note: format!(
                "{} 于 {on} 以「{}」驳回；{until} 前同等或更低等级不再提示（剩余天数）",
                d.by,
                label(&d.reason)
            ),
        });
        out.push(a.id.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlertStatus, Scope};
    use std::collections::HashMap;

    fn alert(level: u8, regions: &[&str]) -> Alert {
        Alert {
            id: "A".into(),
            category: "电热毯".into(),
            hazards: vec!["火灾".into()],
            scope: Scope::Regional,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            level,
            action: Action::Sample,
            score: 1.0,
            breakdown: vec![],
            evidence: vec!["d1".into()],
            first_seen: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            updated: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    #[test]
    fn transitions_follow_the_standard_path() {
        use TriageState::*;
        assert!(New.can_become(Review));
        assert!(!New.can_become(Dismissed), "review comes first");
        assert!(Review.can_become(Dismissed) && Review.can_become(Confirmed));
        assert!(Dismissed.can_become(Closed) && Closed.can_become(Review));
        assert!(!Closed.can_become(Confirmed));
        assert_eq!(TriageState::parse("review"), Some(Review));
        assert_eq!(TriageState::parse("x"), None);
    }

    #[test]
    fn a_dismissal_holds_for_its_window_unless_the_alert_escalates() {
        let rules = SuppressionRules { days: 30 };
        let at = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc();
        let d = Dismissal {
            alert_id: "A".into(),
            level: 2,
            regions: vec!["浙江省".into()],
            reason: "duplicate".into(),
            by: "王芳".into(),
            at,
        };
        let ds = HashMap::from([("A".to_string(), d)]);
        let day = |n: i64| NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + Duration::days(n);
        let label = |k: &str| format!("<{k}>");

        let mut same = [alert(2, &["浙江省"])];
        assert_eq!(suppress(&mut same, &ds, day(10), &rules, label), ["A"]);
        assert_eq!(same[0].action, Action::Dismiss);
        let term = same[0].breakdown.last().unwrap();
        assert_eq!(term.name, "suppressed");
        assert_eq!(term.value, 20.0);
        assert!(
            term.note.contains("王芳") && term.note.contains("<duplicate>"),
            "{}",
            term.note
        );

        let mut lower = [alert(1, &["浙江省"])];
        assert_eq!(suppress(&mut lower, &ds, day(29), &rules, label).len(), 1);

        let mut after = [alert(2, &["浙江省"])];
        assert!(suppress(&mut after, &ds, day(31), &rules, label).is_empty());
        assert_eq!(after[0].action, Action::Sample);

        let mut higher = [alert(3, &["浙江省"])];
        assert!(suppress(&mut higher, &ds, day(5), &rules, label).is_empty());
        assert_eq!(higher[0].action, Action::Sample);
        assert_eq!(
            higher[0].breakdown.last().unwrap().name,
            "suppression_ended"
        );

        let mut wider = [alert(2, &["浙江省", "江苏省"])];
        assert!(suppress(&mut wider, &ds, day(5), &rules, label).is_empty());
    }
}
