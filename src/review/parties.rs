//! Parties with a history (issue 47 item 3): every enterprise, brand and shop the documents,
//! alerts, on-sale findings and sampling results name, with those events in time order, names
//! written differently merged by the identity rules of the sampling work (`market::MarketRules`:
//! legal-form endings, brand aliases, shop labels), and the repeat offenders by the rules of
//! `rules/parties.toml` (e.g. two failed inspections within 24 months; a recall and still on
//! sale), each with the events that make it one.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, line_in_block};
use crate::market::MarketRules;
use crate::model::{Alert, DocKind, OnSaleFinding, Parties};
use crate::store::{DocumentRow, InspectionResult};

pub const DEFAULT_PARTIES_TOML: &str = include_str!("../../rules/parties.toml");
pub const PARTIES_FILE: &str = "parties.toml";

/// What a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyKind {
    Enterprise,
    Brand,
    Shop,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Enterprise => "enterprise",
            PartyKind::Brand => "brand",
            PartyKind::Shop => "shop",
        }
    }

    pub fn parse(s: &str) -> Option<PartyKind> {
        [PartyKind::Enterprise, PartyKind::Brand, PartyKind::Shop]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What happened to a party, as the rules name it.
pub const EVENTS: [&str; 8] = [
    "failed-inspection",
    "recall",
    "complaint",
    "news",
    "notice",
    "alert",
    "on-sale",
    "sampling-failed",
];

/// One event of a party's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyEvent {
    /// The day, when the source gives one.
    pub day: Option<NaiveDate>,
    /// One of [`EVENTS`].
    pub event: &'static str,
    /// The document, alert, on-sale finding or sampling request it comes from.
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// An enterprise, brand or shop with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyHistory {
    pub kind: PartyKind,
    /// The canonical name: what the identity rules make of the names as written.
    pub key: String,
    /// The names as written, first seen first.
    pub names: Vec<String>,
    pub events: Vec<PartyEvent>,
    /// The repeat-offender rules it meets, by name, each with the events that make it one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repeat: Vec<RepeatMatch>,
}

/// A repeat-offender rule met, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatMatch {
    pub rule: String,
    /// Ids of the events that meet it.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Need {
    event: String,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    name: String,
    need: Vec<Need>,
    /// All needed events within this many months of each other; none: at any distance.
    #[serde(default)]
    within_months: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    /// `event day` pairs ("failed-inspection 2025-03-01").
    events: Vec<String>,
    repeat: bool,
}

/// The rules of `parties.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyRules {
    #[serde(default)]
    rule: Vec<Rule>,
    #[serde(default)]
    example: Vec<Example>,
}

impl PartyRules {
    /// No rules: nobody is a repeat offender (the last resort when the embedded file fails to
    /// load, which its tests rule out).
    pub fn none() -> PartyRules {
        PartyRules {
            rule: Vec::new(),
            example: Vec::new(),
        }
    }

    /// The rules of `rules_dir/parties.toml`, or the embedded ones when there is none.
    pub fn load(rules_dir: Option<&Path>) -> Result<PartyRules, Vec<ConfigError>> {
        let embedded = || PartyRules::parse(DEFAULT_PARTIES_TOML, "<embedded>/rules/parties.toml");
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(PARTIES_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => PartyRules::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse, validate and run the examples; `file` names the text in errors.
    pub fn parse(text: &str, file: &str) -> Result<PartyRules, Vec<ConfigError>> {
        let rules: PartyRules =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        for (n, r) in rules.rule.iter().enumerate() {
            let at = |key: &str| line_in_block(text, "rule", n, key);
            if r.name.trim().is_empty() {
                errors.push(ConfigError::new(file, at("name"), "rule name is empty"));
            }
            if r.need.is_empty() {
                errors.push(ConfigError::new(
                    file,
                    at("need"),
                    "a rule needs at least one event",
                ));
            }
            for need in &r.need {
                if !EVENTS.contains(&need.event.as_str()) {
                    errors.push(ConfigError::new(
                        file,
                        at("need"),
                        format!("event {:?} is not one of {}", need.event, EVENTS.join(", ")),
                    ));
                }
                if need.count == 0 {
                    errors.push(ConfigError::new(
                        file,
                        at("need"),
                        "count must be at least 1",
                    ));
                }
            }
        }
        if errors.is_empty() {
            for (n, ex) in rules.example.iter().enumerate() {
                let at = line_in_block(text, "example", n, "events");
                let mut events = Vec::new();
                for (i, e) in ex.events.iter().enumerate() {
                    let parsed = e.split_once(' ').and_then(|(ev, d)| {
                        let ev = EVENTS.iter().find(|x| **x == ev)?;
                        Some((*ev, NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()?))
                    });
                    match parsed {
                        Some((event, day)) => events.push(PartyEvent {
                            day: Some(day),
                            event,
                            id: format!("e{i}"),
                            title: String::new(),
                            url: String::new(),
                        }),
                        None => errors.push(ConfigError::new(
                            file,
                            at,
                            format!("{e:?} is not \"<event> YYYY-MM-DD\""),
                        )),
                    }
                }
                let got = !rules.matches(&events).is_empty();
                if got != ex.repeat {
                    errors.push(ConfigError::new(
                        file,
                        at,
                        format!(
                            "example {:?}: repeat offender {got}, expected {}",
                            ex.events, ex.repeat
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// The rules a history meets: for each, the earliest window of `within_months` holding every
    /// needed event `count` times (undated events count only for rules without a window).
    pub fn matches(&self, events: &[PartyEvent]) -> Vec<RepeatMatch> {
        let mut out = Vec::new();
        for r in &self.rule {
            let found = match r.within_months {
                None => take(r, events.iter().collect()),
                Some(months) => events.iter().filter_map(|e| e.day).find_map(|start| {
                    let end = start.checked_add_months(Months::new(months))?;
                    take(
                        r,
                        events
                            .iter()
                            .filter(|e| e.day.is_some_and(|d| d >= start && d <= end))
                            .collect(),
                    )
                }),
            };
            if let Some(evidence) = found {
                out.push(RepeatMatch {
                    rule: r.name.clone(),
                    evidence,
                });
            }
        }
        out
    }
}

/// The ids of events meeting every need of `r`, or None.
fn take(r: &Rule, events: Vec<&PartyEvent>) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    for need in &r.need {
        let of: Vec<&&PartyEvent> = events.iter().filter(|e| e.event == need.event).collect();
        if of.len() < need.count {
            return None;
        }
        ids.extend(of.iter().take(need.count).map(|e| e.id.clone()));
    }
    Some(ids)
}

/// A document's event: what its kind and signal make of it for the parties it names.
fn doc_event(d: &DocumentRow) -> Option<&'static str> {
    let kind = DocKind::parse(&d.kind)?;
    match kind {
        DocKind::Inspection if d.is_signal => Some("failed-inspection"),
        DocKind::Recall => Some("recall"),
        DocKind::Complaint if d.is_signal => Some("complaint"),
        DocKind::Notice if d.is_signal => Some("notice"),
        DocKind::Media if d.is_signal => Some("news"),
        _ => None,
    }
}

fn day_of(s: &str) -> Option<NaiveDate> {
    s.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Everything the histories are built from.
pub struct PartySources<'a> {
    pub documents: &'a [(DocumentRow, Parties)],
    pub alerts: &'a [Alert],
    pub onsale: &'a [OnSaleFinding],
    pub results: &'a [InspectionResult],
}

/// The histories of every party the sources name, repeat offenders first, then by name.
pub fn histories(
    src: &PartySources,
    market: &MarketRules,
    rules: &PartyRules,
) -> Vec<PartyHistory> {
    let mut by: BTreeMap<(PartyKind, String), PartyHistory> = BTreeMap::new();
    let key_of = |kind: PartyKind, written: &str| match kind {
        PartyKind::Enterprise => {
            crate::market::names::enterprise(written, &market.names.enterprise_suffixes)
        }
        PartyKind::Brand => market.brand(written),
        PartyKind::Shop => market.shop(written),
    };
    type Histories = BTreeMap<(PartyKind, String), PartyHistory>;
    let add = |by: &mut Histories, kind: PartyKind, written: &str, ev: PartyEvent| {
        let written = written.trim();
        if written.is_empty() {
            return;
        }
        let key = key_of(kind, written);
        if key.is_empty() {
            return;
        }
        let h = by
            .entry((kind, key.clone()))
            .or_insert_with(|| PartyHistory {
                kind,
                key,
                names: Vec::new(),
                events: Vec::new(),
                repeat: Vec::new(),
            });
        if !h.names.iter().any(|n| n == written) {
            h.names.push(written.to_string());
        }
        if !h
            .events
            .iter()
            .any(|e| e.id == ev.id && e.event == ev.event)
        {
            h.events.push(ev);
        }
    };
    let add_parties = |by: &mut Histories, p: &Parties, ev: &PartyEvent| {
        for (kind, names) in [
            (PartyKind::Enterprise, &p.enterprises),
            (PartyKind::Brand, &p.brands),
            (PartyKind::Shop, &p.shops),
        ] {
            for n in names {
                add(by, kind, n, ev.clone());
            }
        }
    };
    // which parties each document names, for the alerts citing it
    let mut doc_parties: BTreeMap<&str, &Parties> = BTreeMap::new();
    for (d, p) in src.documents {
        doc_parties.insert(d.id.as_str(), p);
        let Some(event) = doc_event(d) else { continue };
        let ev = PartyEvent {
            day: d.published.as_deref().and_then(day_of),
            event,
            id: d.id.clone(),
            title: d.title.clone(),
            url: d.url.clone(),
        };
        add_parties(&mut by, p, &ev);
    }
    for a in src.alerts {
        let ev = PartyEvent {
            day: Some(a.updated),
            event: "alert",
            id: a.id.clone(),
            title: a.summary.clone(),
            url: String::new(),
        };
        for id in &a.evidence {
            let Some(p) = doc_parties.get(id.as_str()) else {
                continue;
            };
            add_parties(&mut by, p, &ev);
        }
    }
    for f in src.onsale {
        let ev = PartyEvent {
            day: Some(f.first_seen),
            event: "on-sale",
            id: f.id.clone(),
            title: f.summary.clone(),
            url: f.listing.url.clone(),
        };
        add(&mut by, PartyKind::Shop, &f.listing.shop, ev.clone());
        add(&mut by, PartyKind::Brand, &f.listing.brand, ev.clone());
        add(&mut by, PartyKind::Enterprise, &f.listing.enterprise, ev);
    }
    for r in src.results.iter().filter(|r| !r.passed) {
        let ev = PartyEvent {
            day: Some(r.inspected_on),
            event: "sampling-failed",
            id: format!("{}#{}", r.alert_id, r.batch),
            title: format!("{} {}", r.item, r.note).trim().to_string(),
            url: String::new(),
        };
        // the sampling history records the party as one name: a shop, brand or enterprise
        for kind in [PartyKind::Shop, PartyKind::Brand, PartyKind::Enterprise] {
            let key = key_of(kind, &r.party);
            if by.contains_key(&(kind, key)) {
                add(&mut by, kind, &r.party, ev.clone());
            }
        }
    }
    let mut out: Vec<PartyHistory> = by.into_values().collect();
    for h in &mut out {
        h.events
            .sort_by(|a, b| (a.day.is_none(), a.day, &a.id).cmp(&(b.day.is_none(), b.day, &b.id)));
        h.repeat = rules.matches(&h.events);
    }
    out.sort_by(|a, b| {
        (
            a.repeat.is_empty(),
            std::cmp::Reverse(a.events.len()),
            a.kind,
            &a.key,
        )
            .cmp(&(
                b.repeat.is_empty(),
                std::cmp::Reverse(b.events.len()),
                b.kind,
                &b.key,
            ))
    });
    out
}

/// The histories of every party in a store: its documents naming parties, its alerts, on-sale
/// findings and the sampling results fed back to its alerts.
pub fn from_store(
    store: &crate::store::Store,
    market: &MarketRules,
    rules: &PartyRules,
) -> Result<Vec<PartyHistory>, crate::store::StoreError> {
    let documents = store.party_documents()?;
    let alerts = store.alerts()?;
    let onsale = store.onsale()?;
    let mut results = Vec::new();
    for a in &alerts {
        results.extend(store.inspection_results(&a.id)?);
    }
    Ok(histories(
        &PartySources {
            documents: &documents,
            alerts: &alerts,
            onsale: &onsale,
            results: &results,
        },
        market,
        rules,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &'static str, day: &str, id: &str) -> PartyEvent {
        PartyEvent {
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
            event,
            id: id.into(),
            title: String::new(),
            url: String::new(),
        }
    }

    fn rules() -> PartyRules {
        match PartyRules::load(None) {
            Ok(r) => r,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn two_failed_inspections_count_only_within_the_window() {
        let r = rules();
        let near = [
            ev("failed-inspection", "2025-02-01", "a"),
            ev("failed-inspection", "2026-06-01", "b"),
        ];
        let m = r.matches(&near);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].evidence, ["a", "b"]);
        let far = [
            ev("failed-inspection", "2022-02-01", "a"),
            ev("failed-inspection", "2026-06-01", "b"),
        ];
        assert!(r.matches(&far).is_empty());
        let recalled_on_sale = [
            ev("recall", "2026-01-10", "r"),
            ev("on-sale", "2026-04-02", "l"),
        ];
        assert_eq!(r.matches(&recalled_on_sale).len(), 1);
        assert!(r.matches(&[ev("recall", "2026-01-10", "r")]).is_empty());
    }

    #[test]
    fn rule_errors_name_the_line() {
        let bad = "[[rule]]\nname = \"x\"\nneed = [{ event = \"fire\" }]\n";
        let errs = PartyRules::parse(bad, "p.toml").err().unwrap_or_default();
        assert!(errs.iter().any(|e| e.line == 3), "{errs:?}");
        let wrong = "[[rule]]\nname = \"x\"\nneed = [{ event = \"recall\", count = 2 }]\n[[example]]\nevents = [\"recall 2026-01-01\"]\nrepeat = true\n";
        let errs = PartyRules::parse(wrong, "p.toml").err().unwrap_or_default();
        assert!(errs.iter().any(|e| e.line == 5), "{errs:?}");
    }

    #[test]
    fn names_written_differently_are_one_party() {
        let market = MarketRules::embedded();
        let doc = |id: &str, kind: &str, day: &str| DocumentRow {
            id: id.into(),
            source: "s".into(),
            kind: kind.into(),
            url: format!("http://127.0.0.1/{id}"),
            title: id.into(),
            published: Some(day.into()),
            cluster: id.into(),
            is_signal: true,
            reason: None,
        };
        let named = |e: &str| Parties {
            enterprises: vec![e.into()],
            ..Parties::default()
        };
        let documents = vec![
            (
                doc("d1", "inspection", "2025-05-01"),
                named("宁海县暖阳电器有限公司"),
            ),
            (
                doc("d2", "inspection", "2026-03-01"),
                named("宁海县暖阳电器有限责任公司"),
            ),
            (
                doc("d3", "inspection", "2026-03-01"),
                named("余姚市清风电器厂"),
            ),
        ];
        let h = histories(
            &PartySources {
                documents: &documents,
                alerts: &[],
                onsale: &[],
                results: &[],
            },
            &market,
            &rules(),
        );
        let first = &h[0];
        assert_eq!(first.events.len(), 2, "{h:#?}");
        assert_eq!(first.names.len(), 2, "{h:#?}");
        assert_eq!(first.repeat.len(), 1, "{h:#?}");
        assert!(h[1].repeat.is_empty());
    }
}
