//! The documents behind an alert or a case, as its page shows them: from the index with the
//! category and hazards marked in a snippet, else from the store's metadata, else marked missing.

use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::model::Alert;
use crate::store::DocumentRow;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceDoc {
    pub id: String,
    /// False when neither the index nor the store knows the document.
    pub found: bool,
    /// True when the text came from the index (then `snippet` is set).
    pub indexed: bool,
    pub title: String,
    pub url: String,
    pub source: String,
    pub kind: String,
    pub published: Option<String>,
    /// HTML, escaped, with the alert's category and hazards in `<b>`.
    pub snippet: String,
    pub provinces: Vec<String>,
}

/// Evidence shown per alert (the strongest first, as the alert lists them).
pub(super) const MAX_EVIDENCE: usize = 50;

/// Words to highlight in evidence snippets: the category and each hazard (烫伤/烧伤 → both).
fn highlight_query(alert: &Alert) -> String {
    highlight_words(&alert.category, &alert.hazards)
}

/// A category and its hazards' words as an OR query of phrases, for highlighting snippets.
pub(crate) fn highlight_words(category: &str, hazards: &[String]) -> String {
    let mut words: Vec<&str> = vec![category];
    for h in hazards {
        words.extend(h.split('/').map(str::trim).filter(|w| !w.is_empty()));
    }
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Evidence documents of `alert`, in its order (see [`documents`]).
pub(crate) fn evidence(
    index: Option<&Index>,
    rows: &[DocumentRow],
    alert: &Alert,
) -> Vec<EvidenceDoc> {
    documents(index, rows, &alert.evidence, &highlight_query(alert))
}

/// Documents by id, in that order: from the index (with `highlight` marked in a snippet) when
/// there, else from the store's metadata `rows` (no text), else marked not found.
pub(crate) fn documents(
    index: Option<&Index>,
    rows: &[DocumentRow],
    ids: &[String],
    highlight: &str,
) -> Vec<EvidenceDoc> {
    ids.iter()
        .take(MAX_EVIDENCE)
        .map(|id| {
            let stored = index.and_then(|i| match i.get(id) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(doc = %id, error = %e, "evidence lookup failed");
                    None
                }
            });
            if let (Some(i), Some(d)) = (index, stored) {
                return EvidenceDoc {
                    snippet: i.snippet(&d, highlight),
                    id: d.id,
                    found: true,
                    indexed: true,
                    title: d.title,
                    url: d.url,
                    source: d.source,
                    kind: d.kind,
                    published: d.published,
                    provinces: d.provinces,
                };
            }
            match rows.iter().find(|r| &r.id == id) {
                Some(r) => EvidenceDoc {
                    id: r.id.clone(),
                    found: true,
                    indexed: false,
                    title: r.title.clone(),
                    url: r.url.clone(),
                    source: r.source.clone(),
                    kind: r.kind.clone(),
                    published: r.published.clone(),
                    snippet: String::new(),
                    provinces: vec![],
                },
                None => EvidenceDoc {
                    id: id.clone(),
                    found: false,
                    indexed: false,
                    title: String::new(),
                    url: String::new(),
                    source: String::new(),
                    kind: String::new(),
                    published: None,
                    snippet: String::new(),
                    provinces: vec![],
                },
            }
        })
        .collect()
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use crate::model::{Action, Channel, DocKind, Parties, Scope};
    use crate::serve::api::tests::alert;
    #[test]
    fn evidence_comes_from_the_index_and_marks_missing_docs() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = jieba_rs::Jieba::new();
        j.add_word("电动自行车", Some(20000), None);
        let index = Index::open(dir.path(), Arc::new(j)).unwrap();
        let mut w = index.writer().unwrap();
        let t = Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).single().unwrap();
        let doc = crate::model::Document {
            id: "e1".into(),
            source: "news".into(),
            channel: Channel::Media,
            kind: Some(DocKind::Media),
            url: "https://news.example.cn/e1".into(),
            title: "温州一车行电动自行车电池起火".into(),
            text: "温州市鹿城区一家车行内，一块待售电动自行车电池突然冒烟起火，店员用灭火器扑灭，一名店员手部烫伤。".into(),
            published_at: Some(t),
            fetched_at: t,
            fields: Default::default(),
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let ex = crate::model::Extraction {
            doc_id: "e1".into(),
            kind: DocKind::Media,
            categories: vec!["电动自行车".into()],
            hazards: vec![],
            regions: vec![],
            parties: Parties::default(),
            standards: vec![],
            vulnerable: vec![],
            findings: vec![],
            is_signal: true,
            reason: None,
            cluster: "e1".into(),
            text_cut: None,
            inspections: Vec::new(),
        };
        w.upsert(&doc, &ex).unwrap();
        w.commit().unwrap();
        let a = alert(
            "A",
            "电动自行车",
            4,
            Action::Sample,
            Scope::Regional,
            &["浙江省"],
        );
        let rows = vec![DocumentRow {
            id: "e2".into(),
            source: "12315".into(),
            kind: "complaint".into(),
            url: "https://ts.example.cn/e2".into(),
            title: "电池充电冒烟投诉".into(),
            published: None,
            cluster: "e2".into(),
            is_signal: true,
            reason: None,
        }];
        let ev = evidence(Some(&index), &rows, &a);
        assert_eq!(ev.len(), 2);
        assert!(ev[0].found);
        assert_eq!(ev[0].url, "https://news.example.cn/e1");
        assert!(
            ev[0].snippet.contains("<b>电动自行车</b>"),
            "{}",
            ev[0].snippet
        );
        assert!(ev[0].snippet.contains("<b>烫伤</b>"), "{}", ev[0].snippet);
        assert!(ev[0].indexed);
        // e2 is not in the index: the store's metadata stands in, without a snippet.
        assert!(ev[1].found && !ev[1].indexed);
        assert_eq!(ev[1].title, "电池充电冒烟投诉");
        assert!(ev[1].snippet.is_empty());
        let none = evidence(None, &[], &a);
        assert_eq!(none.len(), 2);
        assert!(none.iter().all(|e| !e.found));
    }
}
