//! `GET /api/risk-list`: the key-product risk list of a quarter (issue 47 item 4) for the
//! dashboard's Stats page, the same rows `jiance report --risk-list` writes (built by
//! `report::risk` from the signals, alerts, inspection records and listings on each request); or as CSV
//! (`format=csv`). The quarter is the one holding `until`, else the last signal's day, so the
//! page and the command agree without either naming a quarter.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};

use super::reply::{blocking, store_error};
use super::request::Params;
use super::{ApiError, AppState};
use crate::model::DocKind;
use crate::report::risk::{self, RiskRow};
use crate::store::InspectionQuery;

/// The risk list of one quarter.
#[derive(Debug, Serialize)]
pub struct RiskList {
    /// `2026Q1`; null when there is nothing to list (no signal and no `until`).
    pub quarter: Option<String>,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub rows: Vec<RiskRow>,
}

pub(super) async fn risk_list(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let csv = p.wants_csv()?;
    let until = p.date("until")?;
    let store = st.store.clone();
    let list = blocking(move || {
        let signals = store.signals().map_err(store_error)?;
        let Some(day) = until.or_else(|| signals.iter().map(|s| s.day()).max()) else {
            return Ok(RiskList {
                quarter: None,
                first: None,
                last: None,
                rows: Vec::new(),
            });
        };
        let alerts = store.alerts().map_err(store_error)?;
        let records = store
            .inspections(&InspectionQuery::default())
            .map_err(store_error)?;
        let listings: Vec<_> = store
            .records(&[DocKind::Listing])
            .map_err(store_error)?
            .iter()
            .map(|(d, e)| crate::market::listing(d, e))
            .collect();
        let (quarter, first, last) = risk::quarter_of(day);
        Ok(RiskList {
            quarter: Some(quarter),
            first: Some(first),
            last: Some(last),
            rows: risk::build_risk_list(day, &signals, &alerts, &records, &listings),
        })
    })
    .await?;
    if csv {
        let bytes = risk::to_csv(&list.rows).map_err(ApiError::internal)?;
        let name = format!(
            "risk-list-{}.csv",
            list.quarter.as_deref().unwrap_or("empty")
        );
        return Ok(super::reply::csv_download(bytes, &name));
    }
    Ok(axum::Json(list).into_response())
}

/// The route's entry of the OpenAPI document.
pub(super) fn path(read: &Value, q: impl Fn(&str, &str, Value) -> Value) -> Value {
    let err = |code: &str, what: &str| {
        json!({ code: { "description": what, "content": { "application/json": { "schema":
            { "$ref": "#/components/schemas/Error" } } } } })
    };
    let mut responses = json!({
        "200": { "description": "The quarter's rows (JSON), or the rows as CSV",
                 "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RiskList" } },
                              "text/csv": { "schema": { "type": "string" } } } } });
    for (code, what) in [("400", "Bad request"), ("401", "Unauthorized")] {
        if let (Value::Object(m), Value::Object(e)) = (&mut responses, err(code, what)) {
            m.extend(e);
        }
    }
    json!({ "get": {
        "summary": "The key-product risk list (重点消费品质量安全风险清单) of the quarter holding `until` (default: the last signal's day): categories × hazards ranked by highest alert level, alerts, highest severity, failure rate of the inspection records and signals, with the trend against the quarter before and evidence counts; as `jiance report --risk-list` writes it. format=csv for a spreadsheet",
        "security": read,
        "parameters": [
            q("until", "A day of the quarter to list (YYYY-MM-DD)", json!({ "type": "string", "format": "date" })),
            q("format", "json (default) | csv", json!({ "type": "string", "enum": ["json", "csv"] }))
        ],
        "responses": responses } })
}

/// The schemas of the route's answer.
pub(super) fn schemas() -> Value {
    let s = json!({ "type": "string" });
    let n = json!({ "type": "integer", "minimum": 0 });
    let nday = json!({ "type": "string", "format": "date", "nullable": true });
    json!({
        "RiskList": { "type": "object", "required": ["quarter", "first", "last", "rows"], "properties": {
            "quarter": { "type": "string", "nullable": true },
            "first": nday, "last": nday,
            "rows": { "type": "array", "items": { "$ref": "#/components/schemas/RiskRow" } } } },
        "RiskRow": { "type": "object",
            "required": ["quarter", "rank", "category", "hazard", "alerts", "max_level", "max_severity",
                         "signals", "documents", "complaints", "units_sold", "complaints_per_10k", "batches_sampled", "batches_failed",
                         "failure_rate", "failed_item_records", "previous_signals", "trend"],
            "properties": {
                "quarter": s, "rank": { "type": "integer", "minimum": 1 }, "category": s, "hazard": s,
                "alerts": n, "max_level": { "type": "integer", "minimum": 0, "maximum": 4 },
                "max_severity": n, "signals": n, "documents": n, "complaints": n,
                "units_sold": { "type": "integer", "minimum": 0, "nullable": true },
                "complaints_per_10k": { "type": "number", "minimum": 0, "nullable": true },
                "batches_sampled": n, "batches_failed": n,
                "failure_rate": { "type": "number", "nullable": true },
                "failed_item_records": n, "previous_signals": n,
                "trend": { "type": "string", "enum": ["rising", "falling", "steady", "new"] } } }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer's schema names every field a row serialises, so the document and the JSON
    /// cannot drift apart unnoticed.
    #[test]
    fn the_row_schema_lists_every_serialised_field() {
        let row = RiskRow {
            quarter: "2026Q1".into(),
            rank: 1,
            category: "电动自行车".into(),
            hazard: "火灾".into(),
            alerts: 1,
            max_level: 3,
            max_severity: 4,
            signals: 5,
            documents: 4,
            complaints: 2,
            units_sold: Some(4000),
            complaints_per_10k: Some(5.0),
            batches_sampled: 10,
            batches_failed: 2,
            failure_rate: Some(0.2),
            failed_item_records: 1,
            previous_signals: 0,
            trend: "new",
        };
        let v = serde_json::to_value(&row).unwrap();
        let schema = schemas();
        let required = schema["RiskRow"]["required"].as_array().unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), required.len());
        for k in keys {
            assert!(required.iter().any(|r| r == k), "{k}");
        }
    }
}
