//! What a watch rule can match, and whether it does.
//!
//! Every watchable thing becomes an [`Item`] — its kind, id, event, level, categories, provinces,
//! parties and the documents whose text a query or model is looked for in — read from a *feed*: a
//! store table read from a cursor. Alerts (new and escalated changes of the alert history) and
//! documents (signal documents as the sink stored them) are the feeds today. **Extension point:**
//! cases and on-sale findings become watchable by adding an [`ItemKind`] variant and a feed in
//! `super::scan` that reads their table from its own cursor into `Item`s; the matching below does
//! not change.

use serde::Serialize;

use crate::model::{Alert, Extraction};
use crate::store::{DocumentRow, WatchRule};

/// Kinds of watchable items. Add `Case` and `Finding` here when those tables exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Alert,
    Document,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Alert => "alert",
            ItemKind::Document => "document",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Alert => "预警",
            ItemKind::Document => "文档",
        }
    }
}

/// One thing that happened, as a rule sees it and a message reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub id: String,
    /// `new`, `escalated` (alerts), `stored` (documents).
    pub event: String,
    pub title: String,
    /// The document's address, or the alert's page on the dashboard when its address is known.
    pub url: Option<String>,
    pub level: Option<u8>,
    pub categories: Vec<String>,
    pub provinces: Vec<String>,
    pub brands: Vec<String>,
    pub enterprises: Vec<String>,
    /// Documents whose titles and texts queries and models are looked for in.
    pub documents: Vec<String>,
}

/// Document texts and queries over them (the search index), handed in by whoever has the index
/// open. Without one, rules with a query never match and models are looked for in titles only.
pub trait DocTexts: Send + Sync {
    /// Title and text of a document, when indexed.
    fn text(&self, id: &str) -> Option<String>;
    /// The documents among `ids` that `query` matches.
    fn matching(&self, query: &str, ids: &[String]) -> Result<Vec<String>, String>;
}

impl DocTexts for crate::index::Index {
    fn text(&self, id: &str) -> Option<String> {
        self.get(id)
            .ok()
            .flatten()
            .map(|d| format!("{}\n{}", d.title, d.text))
    }
    fn matching(&self, query: &str, ids: &[String]) -> Result<Vec<String>, String> {
        crate::index::Index::matching(self, query, ids).map_err(|e| e.to_string())
    }
}

/// Evidence documents read for an alert's parties and texts (the strongest first).
pub const ALERT_DOCUMENTS: usize = 50;

/// An alert change as an item; `extractions` are its evidence documents' (for their parties).
pub fn alert_item(alert: &Alert, change: &str, extractions: &[Extraction]) -> Item {
    let mut brands = Vec::new();
    let mut enterprises = Vec::new();
    for ex in extractions {
        push_all(&mut brands, &ex.parties.brands);
        push_all(&mut enterprises, &ex.parties.enterprises);
        for f in &ex.findings {
            push_all(&mut brands, &f.parties.brands);
            push_all(&mut enterprises, &f.parties.enterprises);
        }
    }
    // A province's rule sees the alerts of its events and those routed to it (属地, issue 47):
    // a rule with the jurisdiction's contact as its address notifies that regulator.
    let mut provinces = alert.regions.clone();
    for j in &alert.jurisdictions {
        push_all(&mut provinces, &[j.province.clone(), j.name()]);
    }
    Item {
        kind: ItemKind::Alert,
        id: alert.id.clone(),
        event: change.to_string(),
        title: alert.summary.clone(),
        url: None,
        level: Some(alert.level),
        categories: vec![alert.category.clone()],
        provinces,
        brands,
        enterprises,
        documents: alert
            .evidence
            .iter()
            .take(ALERT_DOCUMENTS)
            .cloned()
            .collect(),
    }
}

/// A stored document as an item.
pub fn document_item(doc: &DocumentRow, ex: &Extraction) -> Item {
    let mut brands = ex.parties.brands.clone();
    let mut enterprises = ex.parties.enterprises.clone();
    let mut provinces = Vec::new();
    for r in &ex.regions {
        push_all(&mut provinces, std::slice::from_ref(&r.province));
    }
    for f in &ex.findings {
        push_all(&mut brands, &f.parties.brands);
        push_all(&mut enterprises, &f.parties.enterprises);
        if let Some(p) = &f.province {
            push_all(&mut provinces, std::slice::from_ref(p));
        }
    }
    Item {
        kind: ItemKind::Document,
        id: doc.id.clone(),
        event: "stored".into(),
        title: doc.title.clone(),
        url: Some(doc.url.clone()),
        level: None,
        categories: ex.categories.clone(),
        provinces,
        brands,
        enterprises,
        documents: vec![doc.id.clone()],
    }
}

fn push_all(into: &mut Vec<String>, from: &[String]) {
    for v in from {
        if !v.is_empty() && !into.contains(v) {
            into.push(v.clone());
        }
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A party the rule names: an extracted name containing the rule's (暖阳 in 暖阳电器有限公司),
/// case and spaces aside.
fn party_matches(want: &str, names: &[String]) -> bool {
    let want = norm(want);
    names.iter().any(|n| norm(n).contains(&want))
}

/// A province the rule names (浙江 or 浙江省): the item's, or a nation-wide item.
fn province_matches(want: &str, provinces: &[String]) -> bool {
    let want = want.trim();
    provinces
        .iter()
        .any(|p| p == "全国" || p == want || (p.starts_with(want) && want.chars().count() >= 2))
}

/// Whether `rule` matches `item`: every criterion the rule gives must hold.
pub fn matches(rule: &WatchRule, item: &Item, texts: Option<&dyn DocTexts>) -> bool {
    if let Some(min) = rule.min_level
        && item.level.is_none_or(|l| l < min)
    {
        return false;
    }
    if let Some(c) = &rule.category
        && !item.categories.iter().any(|x| x == c.trim())
    {
        return false;
    }
    if let Some(p) = &rule.province
        && !province_matches(p, &item.provinces)
    {
        return false;
    }
    if let Some(b) = &rule.brand
        && !party_matches(b, &item.brands)
    {
        return false;
    }
    if let Some(e) = &rule.enterprise
        && !party_matches(e, &item.enterprises)
    {
        return false;
    }
    if let Some(m) = &rule.model {
        let m = norm(m);
        let in_title = norm(&item.title).contains(&m);
        let in_text = || {
            texts.is_some_and(|t| {
                item.documents
                    .iter()
                    .any(|d| t.text(d).is_some_and(|x| norm(&x).contains(&m)))
            })
        };
        if !in_title && !in_text() {
            return false;
        }
    }
    if let Some(q) = &rule.query {
        let Some(t) = texts else { return false };
        match t.matching(q, &item.documents) {
            Ok(found) if !found.is_empty() => {}
            Ok(_) => return false,
            Err(e) => {
                tracing::warn!(rule = %rule.id, error = %e, "watch rule query failed");
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Mode;

    struct Texts;
    impl DocTexts for Texts {
        fn text(&self, id: &str) -> Option<String> {
            (id == "d1").then(|| "暖阳 NY-2000 取暖器 外壳起火".to_string())
        }
        fn matching(&self, query: &str, ids: &[String]) -> Result<Vec<String>, String> {
            Ok(ids
                .iter()
                .filter(|d| self.text(d).is_some_and(|t| t.contains(query)))
                .cloned()
                .collect())
        }
    }

    fn rule() -> WatchRule {
        WatchRule {
            id: "w1".into(),
            owner: "li".into(),
            name: String::new(),
            brand: None,
            model: None,
            enterprise: None,
            query: None,
            category: None,
            province: None,
            min_level: None,
            webhook: None,
            email: None,
            mode: Mode::Immediate,
            created_at: chrono::Utc::now(),
        }
    }

    fn item() -> Item {
        Item {
            kind: ItemKind::Alert,
            id: "a1".into(),
            event: "new".into(),
            title: "浙江省电暖器起火风险上升".into(),
            url: None,
            level: Some(3),
            categories: vec!["电暖器".into()],
            provinces: vec!["浙江省".into()],
            brands: vec!["暖阳".into()],
            enterprises: vec!["宁波暖阳电器有限公司".into()],
            documents: vec!["d1".into()],
        }
    }

    #[test]
    fn every_criterion_must_hold() {
        let t: &dyn DocTexts = &Texts;
        let it = item();
        let mut r = rule();
        r.category = Some("电暖器".into());
        r.province = Some("浙江".into());
        assert!(matches(&r, &it, Some(t)));
        r.province = Some("江苏".into());
        assert!(!matches(&r, &it, Some(t)));
        let mut r = rule();
        r.enterprise = Some("暖阳电器".into());
        r.min_level = Some(3);
        assert!(matches(&r, &it, Some(t)));
        r.min_level = Some(4);
        assert!(!matches(&r, &it, Some(t)));
        let mut r = rule();
        r.model = Some("ny-2000".into());
        assert!(matches(&r, &it, Some(t)));
        assert!(!matches(&r, &it, None), "the model is only in the text");
        let mut r = rule();
        r.query = Some("起火".into());
        assert!(matches(&r, &it, Some(t)));
        r.query = Some("漏电".into());
        assert!(!matches(&r, &it, Some(t)));
        let mut r = rule();
        r.brand = Some("冬暖".into());
        assert!(!matches(&r, &it, Some(t)));
        // a document has no level: a rule with a minimum level never matches one
        let mut doc = item();
        doc.kind = ItemKind::Document;
        doc.level = None;
        let mut r = rule();
        r.min_level = Some(1);
        assert!(!matches(&r, &doc, Some(t)));
        // a nation-wide item is in every province
        let mut national = item();
        national.provinces = vec!["全国".into()];
        let mut r = rule();
        r.province = Some("广东".into());
        assert!(matches(&r, &national, Some(t)));
    }

    #[test]
    fn a_provinces_rule_sees_the_alerts_routed_to_it() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let alert = Alert {
            id: "a".into(),
            category: "电热毯".into(),
            hazards: vec![],
            scope: crate::model::Scope::Regional,
            regions: vec!["河南省".into()],
            level: 3,
            action: crate::model::Action::Notify,
            score: 3.0,
            breakdown: vec![],
            evidence: vec!["c1".into()],
            first_seen: day,
            updated: day,
            status: crate::model::AlertStatus::New,
            summary: String::new(),
            reasons: vec![],
            daily: vec![],
            jurisdictions: vec![crate::model::Jurisdiction {
                province: "浙江省".into(),
                city: Some("宁波市".into()),
                parties: vec![],
                documents: vec!["c1".into()],
                contact: None,
            }],
        };
        let it = alert_item(&alert, "new", &[]);
        let mut r = rule();
        for (want, hit) in [
            ("浙江", true),
            ("浙江省宁波市", true),
            ("河南省", true),
            ("广东", false),
        ] {
            r.province = Some(want.into());
            assert_eq!(matches(&r, &it, None), hit, "{want}");
        }
    }
}
