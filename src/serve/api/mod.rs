//! JSON endpoints, one file per resource: `alerts.rs` (the ranked list, one alert's page, its
//! acknowledgement), `evidence.rs` (documents behind an alert or a case), `inspections.rs`
//! (inspection results of sampled batches), `search.rs` and `stats.rs`. Handlers are thin: parse
//! parameters (`super::request`), do the blocking read on the blocking pool (`super::reply`),
//! shape the answer with plain functions that the tests call directly.

use axum::Json;
use axum::extract::State;

use super::{IndexHandle, StoreHandle};

mod alerts;
mod evidence;
mod inspections;
mod search;
mod stats;

pub use alerts::{AlertDetail, AlertPage, InspectionSummary};
pub(super) use alerts::{acknowledge, alert, alerts};
pub use evidence::EvidenceDoc;
pub(crate) use evidence::{documents, highlight_words};
pub(super) use inspections::inspection_results;
pub use inspections::inspection_rows_from_json;
pub(super) use search::search;
pub(crate) use search::{search_error, search_request};
pub(super) use stats::stats;
pub use stats::{Stats, UNCLASSIFIED_TOP};

/// Liveness, and whether every stored document is searchable: `degraded` when the store holds
/// more documents than the index (they are fetched again on the next crawl; `jiance reindex`
/// rebuilds the index at once).
pub(super) async fn healthz(
    State(IndexHandle(index)): State<IndexHandle>,
    State(StoreHandle(store)): State<StoreHandle>,
) -> Json<serde_json::Value> {
    let docs = index.as_ref().map(|i| i.num_docs());
    let stored = match store {
        Some(s) => tokio::task::spawn_blocking(move || s.document_count().ok())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let behind = match (stored, docs) {
        (Some(s), Some(d)) => s.saturating_sub(d),
        _ => 0,
    };
    let status = if behind > 0 { "degraded" } else { "ok" };
    Json(serde_json::json!({
        "status": status,
        "index": docs.is_some(),
        "index_documents": docs,
        "store_documents": stored,
        "unindexed_documents": behind,
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::NaiveDate;

    use crate::model::{Action, Alert, AlertStatus, Scope, ScoreTerm};

    pub(crate) fn alert(
        id: &str,
        category: &str,
        level: u8,
        action: Action,
        scope: Scope,
        regions: &[&str],
    ) -> Alert {
        let day = NaiveDate::from_ymd_opt(2026, 4, 2).unwrap();
        Alert {
            id: id.into(),
            category: category.into(),
            hazards: vec!["火灾".into(), "烫伤/烧伤".into()],
            scope,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            level,
            action,
            score: f64::from(level) * 10.0,
            breakdown: vec![ScoreTerm {
                name: "baseline".into(),
                value: 1.5,
                note: "近四周日均".into(),
            }],
            evidence: vec!["e1".into(), "e2".into()],
            first_seen: day,
            updated: day,
            status: AlertStatus::New,
            summary: format!("{category}风险上升"),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }
}
