//! Labels: an analyst's correction of one document, and what the rules learn from them.
//!
//! A label says the document is not relevant, has the wrong category (→ which), the wrong
//! hazard (→ which), the wrong region (→ which province), or is a missed signal. Each label keeps
//! what the document said and what jiance made of it when it was labelled ([`LabelSnapshot`]), so
//! the labels stay readable after a rerun or a reindex. [`labelled_texts`] folds a document's
//! labels into one labelled text in the evaluation format of the real-text set (`id`, `genre`,
//! `is_risk_signal`, `text`, `date`, `products`, `hazards`, `regions`, `note`), and
//! [`disagreements`] replays those texts through today's analyzer: where it still disagrees with
//! the analysts is the rule authors' work list.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::analyze::{Analyzer, ClusterIndex};
use crate::model::{Channel, Document};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelKind {
    NotRelevant,
    WrongCategory,
    WrongHazard,
    WrongRegion,
    MissedSignal,
}

impl LabelKind {
    pub const ALL: [LabelKind; 5] = [
        LabelKind::NotRelevant,
        LabelKind::WrongCategory,
        LabelKind::WrongHazard,
        LabelKind::WrongRegion,
        LabelKind::MissedSignal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::NotRelevant => "not-relevant",
            LabelKind::WrongCategory => "wrong-category",
            LabelKind::WrongHazard => "wrong-hazard",
            LabelKind::WrongRegion => "wrong-region",
            LabelKind::MissedSignal => "missed-signal",
        }
    }

    pub fn parse(s: &str) -> Option<LabelKind> {
        LabelKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the label names the right value (a category, hazard or province).
    pub fn needs_value(self) -> bool {
        matches!(
            self,
            LabelKind::WrongCategory | LabelKind::WrongHazard | LabelKind::WrongRegion
        )
    }
}

/// What the document said and what jiance made of it when it was labelled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelSnapshot {
    pub title: String,
    pub text: String,
    pub url: String,
    /// The document kind (`complaint`, `recall`, …).
    pub kind: String,
    pub published: Option<String>,
    pub categories: Vec<String>,
    pub hazards: Vec<String>,
    pub provinces: Vec<String>,
    pub is_signal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub id: i64,
    pub doc_id: String,
    pub kind: LabelKind,
    /// The right category, hazard or province; empty for the other kinds.
    pub value: String,
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub snapshot: LabelSnapshot,
}

/// One labelled text in the evaluation format (plus who labelled it and which fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledText {
    pub id: String,
    pub genre: String,
    pub is_risk_signal: bool,
    pub text: String,
    pub date: Option<String>,
    pub products: Vec<Product>,
    pub hazards: Vec<String>,
    pub regions: Vec<Region>,
    pub note: String,
    /// The fields the analysts corrected: `signal`, `category`, `hazard`, `region`; the others
    /// are jiance's own reading when it was labelled, not a judgement, and are not replayed.
    pub labelled: Vec<String>,
    pub labelled_by: Vec<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub as_written: String,
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub province: Option<String>,
    pub city: Option<String>,
    pub role: String,
}

/// The genre the evaluation format uses for a document kind.
fn genre(kind: &str) -> &'static str {
    match kind {
        "recall" => "recall",
        "inspection" | "notice" => "inspection",
        "complaint" => "complaint",
        "standard" => "standard",
        "media" => "incident",
        _ => "other",
    }
}

/// Every labelled document as one labelled text, labels applied oldest first (a later label of
/// the same field wins). `labels` may come in any order.
pub fn labelled_texts(labels: &[Label]) -> Vec<LabelledText> {
    let mut by_doc: BTreeMap<&str, Vec<&Label>> = BTreeMap::new();
    for l in labels {
        by_doc.entry(l.doc_id.as_str()).or_default().push(l);
    }
    let mut out = Vec::new();
    for (doc, mut ls) in by_doc {
        ls.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        let Some(last) = ls.last() else { continue };
        let snap = &last.snapshot;
        let mut is_signal = snap.is_signal;
        let mut categories = snap.categories.clone();
        let mut hazards = snap.hazards.clone();
        let mut provinces = snap.provinces.clone();
        let mut labelled: Vec<String> = Vec::new();
        let mut by: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for l in &ls {
            let field = match l.kind {
                LabelKind::NotRelevant => {
                    is_signal = false;
                    "signal"
                }
                LabelKind::MissedSignal => {
                    is_signal = true;
                    "signal"
                }
                LabelKind::WrongCategory => {
                    categories = vec![l.value.clone()];
                    "category"
                }
                LabelKind::WrongHazard => {
                    hazards = vec![l.value.clone()];
                    "hazard"
                }
                LabelKind::WrongRegion => {
                    provinces = vec![l.value.clone()];
                    "region"
                }
            };
            if !labelled.iter().any(|f| f == field) {
                labelled.push(field.to_string());
            }
            if !by.contains(&l.by) {
                by.push(l.by.clone());
            }
            if !l.note.trim().is_empty() {
                notes.push(l.note.trim().to_string());
            }
        }
        let text = if snap.title.is_empty() || snap.text.starts_with(&snap.title) {
            snap.text.clone()
        } else {
            format!("{}\n{}", snap.title, snap.text)
        };
        out.push(LabelledText {
            id: doc.to_string(),
            genre: genre(&snap.kind).to_string(),
            is_risk_signal: is_signal,
            text,
            date: snap
                .published
                .as_deref()
                .map(|d| d.chars().take(10).collect()),
            products: categories
                .into_iter()
                .map(|c| Product {
                    as_written: String::new(),
                    category: c,
                })
                .collect(),
            hazards,
            regions: provinces
                .into_iter()
                .map(|p| Region {
                    province: Some(p),
                    city: None,
                    role: "event".into(),
                })
                .collect(),
            note: notes.join("；"),
            labelled,
            labelled_by: by,
            url: snap.url.clone(),
        });
    }
    out
}

/// Where today's rules read a labelled text differently from its labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub id: String,
    /// `signal`, `category`, `hazard` or `region`.
    pub field: String,
    pub analysts: String,
    pub rules: String,
    pub url: String,
}

/// Replay each labelled text through `analyzer` and compare the labelled fields.
pub fn disagreements(texts: &[LabelledText], analyzer: &Analyzer) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for t in texts {
        let doc = Document {
            id: t.id.clone(),
            source: "labels".into(),
            channel: Channel::Media,
            kind: None,
            url: t.url.clone(),
            title: String::new(),
            text: t.text.clone(),
            published_at: t
                .date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc()),
            fetched_at: Utc::now(),
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let x = analyzer.analyze(&doc, &mut ClusterIndex::default());
        let join = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v.join("、")
        };
        for field in &t.labelled {
            let (analysts, rules): (String, String) = match field.as_str() {
                "signal" => (t.is_risk_signal.to_string(), x.is_signal.to_string()),
                "category" => {
                    let want: Vec<String> = t.products.iter().map(|p| p.category.clone()).collect();
                    // the labelled category must be among what the rules find
                    let have = x.categories.clone();
                    if want.iter().all(|c| have.contains(c)) {
                        continue;
                    }
                    (join(&want), join(&have))
                }
                "hazard" => {
                    let have: Vec<String> = x
                        .findings
                        .iter()
                        .map(|f| f.hazard.clone())
                        .chain(
                            x.hazards
                                .iter()
                                .filter(|h| !h.negated)
                                .map(|h| h.hazard.clone()),
                        )
                        .collect();
                    if t.hazards.iter().all(|h| have.contains(h)) {
                        continue;
                    }
                    (join(&t.hazards), join(&have))
                }
                "region" => {
                    let want: Vec<String> = t
                        .regions
                        .iter()
                        .filter_map(|r| r.province.clone())
                        .collect();
                    let have: Vec<String> = x
                        .findings
                        .iter()
                        .filter_map(|f| f.province.clone())
                        .chain(x.regions.iter().map(|r| r.province.clone()))
                        .collect();
                    if want.iter().all(|p| have.contains(p)) {
                        continue;
                    }
                    (join(&want), join(&have))
                }
                _ => continue,
            };
            if analysts != rules {
                out.push(Disagreement {
                    id: t.id.clone(),
                    field: field.clone(),
                    analysts,
                    rules,
                    url: t.url.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(id: i64, doc: &str, kind: LabelKind, value: &str, secs: i64) -> Label {
        Label {
            id,
            doc_id: doc.into(),
            kind,
            value: value.into(),
            note: String::new(),
            by: "李明".into(),
            at: DateTime::from_timestamp(1_780_000_000 + secs, 0).unwrap(),
            snapshot: LabelSnapshot {
                title: "标题".into(),
                text: "正文".into(),
                kind: "complaint".into(),
                categories: vec!["电热毯".into()],
                hazards: vec!["火灾".into()],
                provinces: vec!["浙江省".into()],
                is_signal: true,
                ..Default::default()
            },
        }
    }

    #[test]
    fn labels_fold_into_one_text_per_document_later_ones_winning() {
        let texts = labelled_texts(&[
            label(2, "d1", LabelKind::WrongHazard, "触电", 20),
            label(1, "d1", LabelKind::WrongHazard, "烫伤", 10),
            label(3, "d1", LabelKind::NotRelevant, "", 30),
            label(4, "d2", LabelKind::WrongRegion, "江苏省", 5),
        ]);
        assert_eq!(texts.len(), 2);
        let d1 = &texts[0];
        assert_eq!(d1.hazards, ["触电"]);
        assert!(!d1.is_risk_signal);
        assert_eq!(d1.labelled, ["hazard", "signal"]);
        assert_eq!(d1.text, "标题\n正文");
        assert_eq!(d1.genre, "complaint");
        assert_eq!(texts[1].regions[0].province.as_deref(), Some("江苏省"));
        assert_eq!(
            texts[1].products[0].category, "电热毯",
            "unlabelled fields kept"
        );
    }
}
