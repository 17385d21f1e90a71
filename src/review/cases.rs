//! Cases: one real-world problem across channels.
//!
//! Scoring counts signals per category and region; an analyst thinks in problems: "the 速骑
//! e-bikes catching fire in Zhejiang", seen first in complaints, then in a local paper, then in
//! a regulator's notice. A case gathers that evidence. Evidence joins a case when it names the
//! same product category, hazard and province, and — when it names one — the same brand or
//! enterprise; evidence naming none joins the one named party of its group, if there is exactly
//! one (a news story rarely repeats the brand the complaints name). A gap longer than
//! `[cases] gap_days` between two pieces starts a new case. Each alert points to the case
//! holding most of its evidence.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::CaseRules;
use crate::model::{Alert, Channel, DocKind, Signal, doc_id};

/// One piece of a case's evidence, as its timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvidence {
    pub day: NaiveDate,
    pub channel: Channel,
    pub kind: DocKind,
    pub doc_id: String,
    /// The publisher.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Stable while the case's first piece of evidence stays its first.
    pub id: String,
    pub category: String,
    pub hazard: String,
    /// Canonical province, `全国`, `境外:…`, or `未知` when the evidence names none.
    pub province: String,
    /// The brand or enterprise the evidence names, when it names one.
    pub party: Option<String>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Evidence per channel.
    pub channels: BTreeMap<Channel, u32>,
    /// Oldest first, one entry per document.
    pub timeline: Vec<CaseEvidence>,
    /// Alerts whose evidence this case holds, the ones pointing here first.
    pub alerts: Vec<String>,
}

impl Case {
    /// How many channels the evidence comes from: a problem seen by complaints, media and a
    /// regulator is better established than one seen three times by one of them.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }
}

/// The party a signal names, for joining: its first brand, else its first enterprise, folded.
fn party_of(s: &Signal) -> Option<String> {
    s.parties
        .brands
        .iter()
        .chain(&s.parties.enterprises)
        .map(|p| fold(p))
        .find(|p| !p.is_empty())
}

/// Width, case and spacing folded, so 速骑 and ＳＵＱＩ 速骑 are not two brands by accident of typing.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The cases of `signals`, and for each alert the case it points to.
pub fn build_cases(
    signals: &[Signal],
    alerts: &[Alert],
    rules: &CaseRules,
) -> (Vec<Case>, HashMap<String, String>) {
    // (category, hazard, province) → party → signals
    type Group<'a> = BTreeMap<Option<String>, Vec<&'a Signal>>;
    let mut groups: BTreeMap<(&str, &str, &str), Group> = BTreeMap::new();
    for s in signals {
        let province = s.province.as_deref().unwrap_or("未知");
        groups
            .entry((&s.category, &s.hazard, province))
            .or_default()
            .entry(party_of(s))
            .or_default()
            .push(s);
    }
    let mut cases = Vec::new();
    for ((category, hazard, province), by_party) in groups {
        let mut by_party = fold_parties(by_party);
        // Evidence naming no party joins the one party its group names, if there is one.
        let named: Vec<Option<String>> = by_party.keys().filter(|k| k.is_some()).cloned().collect();
        if named.len() == 1
            && let Some(unnamed) = by_party.remove(&None)
            && let Some(list) = by_party.get_mut(&named[0])
        {
            list.extend(unnamed);
        }
        for (party, mut list) in by_party {
            list.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.doc_id.cmp(&b.doc_id)));
            let mut chain: Vec<&Signal> = Vec::new();
            for s in list {
                let split = chain.last().is_some_and(|last| {
                    (s.day() - last.day()).num_days() > i64::from(rules.gap_days)
                });
                if split {
                    cases.push(make_case(category, hazard, province, &party, &chain));
                    chain.clear();
                }
                chain.push(s);
            }
            if !chain.is_empty() {
                cases.push(make_case(category, hazard, province, &party, &chain));
            }
        }
    }
    let pointers = link_alerts(&mut cases, alerts);
    // Most channels, then most recent, first: the order a reviewer works in.
    cases.sort_by(|a, b| {
        b.channel_count()
            .cmp(&a.channel_count())
            .then_with(|| b.last_day.cmp(&a.last_day))
            .then_with(|| b.timeline.len().cmp(&a.timeline.len()))
            .then_with(|| a.id.cmp(&b.id))
    });
    (cases, pointers)
}

/// A notice names the enterprise (浙江速骑车业有限公司) where complaints name the brand (速骑): a
/// party whose name contains another party's name of the group is that party.
fn fold_parties(
    by_party: BTreeMap<Option<String>, Vec<&Signal>>,
) -> BTreeMap<Option<String>, Vec<&Signal>> {
    let names: Vec<String> = by_party.keys().flatten().cloned().collect();
    let mut out: BTreeMap<Option<String>, Vec<&Signal>> = BTreeMap::new();
    for (party, list) in by_party {
        let key = party.map(|p| {
            names
                .iter()
                .filter(|n| n.chars().count() >= 2 && *n != &p && p.contains(n.as_str()))
                .min_by_key(|n| n.chars().count())
                .cloned()
                .unwrap_or(p)
        });
        out.entry(key).or_default().extend(list);
    }
    out
}

fn make_case(
    category: &str,
    hazard: &str,
    province: &str,
    party: &Option<String>,
    chain: &[&Signal],
) -> Case {
    let mut seen = BTreeSet::new();
    let mut timeline = Vec::new();
    let mut channels: BTreeMap<Channel, u32> = BTreeMap::new();
    for s in chain {
        if !seen.insert(s.doc_id.as_str()) {
            continue;
        }
        *channels.entry(s.channel).or_default() += 1;
        timeline.push(CaseEvidence {
            day: s.day(),
            channel: s.channel,
            kind: s.kind,
            doc_id: s.doc_id.clone(),
            source: s.source.clone(),
        });
    }
    let first_day = chain.first().map(|s| s.day()).unwrap_or_default();
    let last_day = chain.last().map(|s| s.day()).unwrap_or_default();
    let id = doc_id(&format!(
        "case\u{1f}{category}\u{1f}{hazard}\u{1f}{province}\u{1f}{}\u{1f}{first_day}",
        party.as_deref().unwrap_or("")
    ));
    Case {
        id,
        category: category.to_string(),
        hazard: hazard.to_string(),
        province: province.to_string(),
        party: party.clone(),
        first_day,
        last_day,
        channels,
        timeline,
        alerts: Vec::new(),
    }
}

/// Each alert points to the case of its category holding most of its evidence (ties: the
/// earlier case id); every case lists the alerts whose evidence it holds.
fn link_alerts(cases: &mut [Case], alerts: &[Alert]) -> HashMap<String, String> {
    let mut by_doc: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in cases.iter().enumerate() {
        for e in &c.timeline {
            by_doc.entry(e.doc_id.as_str()).or_default().push(i);
        }
    }
    let mut pointers = HashMap::new();
    let mut holding: Vec<Vec<(bool, String)>> = vec![Vec::new(); cases.len()];
    for a in alerts {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for d in &a.evidence {
            for &i in by_doc.get(d.as_str()).into_iter().flatten() {
                if cases[i].category == a.category {
                    *counts.entry(i).or_default() += 1;
                }
            }
        }
        let best = counts
            .iter()
            .max_by(|x, y| {
                x.1.cmp(y.1)
                    .then_with(|| cases[*y.0].id.cmp(&cases[*x.0].id))
            })
            .map(|(i, _)| *i);
        for &i in counts.keys() {
            holding[i].push((Some(i) == best, a.id.clone()));
        }
        if let Some(i) = best {
            pointers.insert(a.id.clone(), cases[i].id.clone());
        }
    }
    for (c, mut h) in cases.iter_mut().zip(holding) {
        h.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        c.alerts = h.into_iter().map(|(_, id)| id).collect();
    }
    pointers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, AlertStatus, Parties, Scope};

    fn signal(
        doc: &str,
        channel: Channel,
        day: u32,
        hazard: &str,
        province: &str,
        brand: Option<&str>,
    ) -> Signal {
        let d =
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() + chrono::Duration::days(i64::from(day));
        Signal {
            doc_id: doc.into(),
            time: d.and_hms_opt(2, 0, 0).unwrap().and_utc(),
            category: "电动自行车".into(),
            hazard: hazard.into(),
            severity: 3,
            province: Some(province.into()),
            city: None,
            source: format!("pub-{doc}"),
            channel,
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: doc.into(),
            parties: Parties {
                brands: brand.iter().map(|b| b.to_string()).collect(),
                ..Default::default()
            },
            product: None,
        }
    }

    fn alert(id: &str, evidence: &[&str]) -> Alert {
        Alert {
            id: id.into(),
            category: "电动自行车".into(),
            hazards: vec!["火灾".into()],
            scope: Scope::Regional,
            regions: vec!["浙江省".into()],
            level: 3,
            action: Action::Notify,
            score: 1.0,
            breakdown: vec![],
            evidence: evidence.iter().map(|s| s.to_string()).collect(),
            first_seen: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            updated: NaiveDate::from_ymd_opt(2026, 5, 9).unwrap(),
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
        }
    }

    #[test]
    fn complaints_a_story_and_a_notice_join_one_case_and_another_problem_does_not() {
        let rules = CaseRules { gap_days: 60 };
        let signals = vec![
            signal("c1", Channel::Complaint, 0, "火灾", "浙江省", Some("速骑")),
            signal("c2", Channel::Complaint, 2, "火灾", "浙江省", Some("速骑 ")),
            signal("m1", Channel::Media, 5, "火灾", "浙江省", None),
            signal("n1", Channel::Regulator, 30, "火灾", "浙江省", Some("速骑")),
            // the same category, another problem: another hazard, and another brand
            signal("x1", Channel::Complaint, 3, "触电", "浙江省", Some("速骑")),
            signal("y1", Channel::Complaint, 4, "火灾", "江苏省", Some("轻航")),
        ];
        let alerts = vec![alert("A", &["c1", "c2", "m1", "x1"])];
        let (cases, pointers) = build_cases(&signals, &alerts, &rules);
        assert_eq!(cases.len(), 3, "{cases:#?}");
        let main = &cases[0];
        assert_eq!(
            main.timeline
                .iter()
                .map(|e| e.doc_id.as_str())
                .collect::<Vec<_>>(),
            ["c1", "c2", "m1", "n1"]
        );
        assert_eq!(main.channel_count(), 3);
        assert_eq!(main.party.as_deref(), Some("速骑"));
        assert_eq!(pointers["A"], main.id);
        assert_eq!(main.alerts, ["A"]);
        let shock = cases.iter().find(|c| c.hazard == "触电").unwrap();
        assert_eq!(shock.alerts, ["A"], "it holds some of the alert's evidence");
        assert!(
            cases
                .iter()
                .all(|c| c.timeline.iter().all(|e| e.doc_id != "y1") || c.province == "江苏省")
        );
    }

    #[test]
    fn two_brands_keep_unnamed_evidence_apart_and_a_long_gap_splits() {
        let rules = CaseRules { gap_days: 30 };
        let signals = vec![
            signal("a", Channel::Complaint, 0, "火灾", "浙江省", Some("速骑")),
            signal("b", Channel::Complaint, 0, "火灾", "浙江省", Some("轻航")),
            signal("m", Channel::Media, 1, "火灾", "浙江省", None),
            signal(
                "late",
                Channel::Complaint,
                100,
                "火灾",
                "浙江省",
                Some("速骑"),
            ),
        ];
        let (cases, _) = build_cases(&signals, &[], &rules);
        assert_eq!(cases.len(), 4, "{cases:#?}");
        assert!(cases.iter().all(|c| c.timeline.len() == 1));
        let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 4, "ids are distinct");
    }
}
