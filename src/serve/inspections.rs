//! `GET /api/inspections`: the inspection records read from notices (issue 47) — per product,
//! batches sampled and failed, failed items with their hazards, failing enterprises and brands
//! with their places, the regulator and the date — filtered by category and day, newest first,
//! with the sums of the batches of the records stating both numbers; or as CSV (`format=csv`).
//! The OpenAPI document describes it as `InspectionPage` (`openapi.rs` [`path`], [`schemas`]).

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::reply::{blocking, store_error};
use super::request::Params;
use super::{ApiError, AppState};
use crate::model::StoredInspection;
use crate::store::InspectionQuery;

/// Most records one JSON page holds.
pub const MAX_LIMIT: usize = 1000;

/// One page of records, with counts over all the filtered ones.
#[derive(Debug, Serialize)]
pub struct InspectionPage {
    pub total: usize,
    /// Batches sampled and failed over the filtered records that state both.
    pub sampled: u64,
    pub failed: u64,
    pub failure_rate: Option<f64>,
    pub records: Vec<StoredInspection>,
}

pub(super) async fn inspections(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let csv = p.wants_csv()?;
    let limit = p.count("limit", 200, MAX_LIMIT)?;
    let offset = p.count("offset", 0, usize::MAX)?;
    // since after until selects nothing (no 400: the document cannot say since ≤ until)
    let (since, until) = (p.date("since")?, p.date("until")?);
    let q = InspectionQuery {
        category: p.get("category").map(str::to_string),
        since,
        until,
    };
    let store = st.store.clone();
    let all = blocking(move || store.inspections(&q).map_err(store_error)).await?;
    if csv {
        let bytes = to_csv(&all).map_err(ApiError::internal)?;
        return Ok(super::reply::csv_download(bytes, "inspections.csv"));
    }
    let (mut sampled, mut failed) = (0u64, 0u64);
    for r in &all {
        if let (Some(s), Some(f)) = (r.record.sampled, r.record.failed) {
            sampled = sampled.saturating_add(s);
            failed = failed.saturating_add(f);
        }
    }
    let page = InspectionPage {
        total: all.len(),
        sampled,
        failed,
        failure_rate: (sampled > 0).then(|| failed as f64 / sampled as f64),
        records: all.into_iter().skip(offset).take(limit).collect(),
    };
    Ok(axum::Json(page).into_response())
}

/// The records as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese text): items as
/// `item(hazard)` and parties as `name(province city)`, joined by `；`.
fn to_csv(records: &[StoredInspection]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record([
        "date",
        "category",
        "product",
        "sampled",
        "failed",
        "failed_items",
        "parties",
        "regulator",
        "from",
        "doc_id",
        "title",
        "url",
    ])?;
    let opt = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    for s in records {
        let r = &s.record;
        let items: Vec<String> = r
            .failed_items
            .iter()
            .map(|i| format!("{}({})", i.item, i.hazard))
            .collect();
        let parties: Vec<String> = r
            .parties
            .iter()
            .map(|p| {
                let place: Vec<&str> = p
                    .province
                    .iter()
                    .chain(&p.city)
                    .map(String::as_str)
                    .collect();
                if place.is_empty() {
                    p.name.clone()
                } else {
                    format!("{}({})", p.name, place.join(" "))
                }
            })
            .collect();
        w.write_record([
            r.date.map(|d| d.to_string()).unwrap_or_default(),
            r.category.clone().unwrap_or_default(),
            r.product.clone().unwrap_or_default(),
            opt(r.sampled),
            opt(r.failed),
            items.join("；"),
            parties.join("；"),
            r.regulator.clone().unwrap_or_default(),
            r.from.as_str().to_string(),
            s.doc_id.clone(),
            s.title.clone(),
            s.url.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The route's entry of the OpenAPI document.
pub(super) fn path(read: &Value, q: impl Fn(&str, &str, Value) -> Value) -> Value {
    let s = json!({ "type": "string" });
    let int = json!({ "type": "integer", "minimum": 0 });
    let date = json!({ "type": "string", "format": "date" });
    let err = |code: &str, what: &str| {
        json!({ code: { "description": what, "content": { "application/json": { "schema":
            { "$ref": "#/components/schemas/Error" } } } } })
    };
    let mut responses = json!({
        "200": { "description": "A page of records (JSON), or every filtered record (CSV, UTF-8 with BOM)",
                 "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InspectionPage" } },
                              "text/csv": { "schema": s } } } });
    for (code, what) in [("400", "Bad request"), ("401", "Unauthorized")] {
        if let (Value::Object(m), Value::Object(e)) = (&mut responses, err(code, what)) {
            m.extend(e);
        }
    }
    json!({ "get": {
        "summary": "Inspection results read from sampling and inspection notices, a record per product: batches sampled and failed (null when the notice does not say), failed items with their hazards, the enterprises and brands named as failing with their places, the regulator and the date; newest first. format=csv for a spreadsheet",
        "security": read,
        "parameters": [
            q("category", "Canonical category, exact (records over several products have a null category)", s.clone()),
            q("since", "First day (YYYY-MM-DD)", date.clone()),
            q("until", "Last day (YYYY-MM-DD)", date),
            q("format", "json (default) | csv", json!({ "type": "string", "enum": ["json", "csv"] })),
            q("limit", "Page size of the JSON answer (max 1000; larger values are cut to 1000)", int.clone()),
            q("offset", "Skip this many", int)
        ],
        "responses": responses } })
}

/// The schemas of the route's answer.
pub(super) fn schemas() -> Value {
    let s = json!({ "type": "string" });
    let ns = json!({ "type": "string", "nullable": true });
    let nint = json!({ "type": "integer", "minimum": 0, "nullable": true });
    json!({
        "InspectionPage": { "type": "object",
            "required": ["total", "sampled", "failed", "failure_rate", "records"], "properties": {
            "total": { "type": "integer", "minimum": 0 },
            "sampled": { "type": "integer", "minimum": 0 },
            "failed": { "type": "integer", "minimum": 0 },
            "failure_rate": { "type": "number", "nullable": true },
            "records": { "type": "array", "items": { "$ref": "#/components/schemas/InspectionRecord" } } } },
        "InspectionRecord": { "type": "object",
            "required": ["doc_id", "seq", "title", "url", "category", "sampled", "failed",
                         "failed_items", "parties", "regulator", "date", "from"],
            "properties": {
                "doc_id": s, "seq": { "type": "integer", "minimum": 0 }, "title": s, "url": s,
                "category": ns, "product": s, "sampled": nint, "failed": nint,
                "enterprises": { "type": "integer", "minimum": 0, "description": "Enterprises sampled, when the notice counts them" },
                "failed_items": { "type": "array", "items": { "type": "object",
                    "required": ["item", "hazard"], "properties": { "item": s, "hazard": s } } },
                "parties": { "type": "array", "items": { "type": "object",
                    "required": ["name", "role"], "properties": {
                        "name": s, "role": { "type": "string", "enum": ["enterprise", "brand", "shop"] },
                        "province": s, "city": s } } },
                "regulator": ns,
                "date": { "type": "string", "format": "date", "nullable": true },
                "from": { "type": "string", "enum": ["text", "table", "attachment"] } } }
    })
}
