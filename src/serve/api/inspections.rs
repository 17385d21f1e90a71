//! `/api/inspection-results`: inspected batches of an alert's sampling request, validated into
//! store rows (the same validation serves `jiance inspect-result`).

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::serve::reply::{blocking, store_error};
use crate::serve::request::{check_len, json_content, parse_body};
use crate::serve::{ApiError, AppState};
use crate::store::InspectionResult;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InspectionBatch {
    batch: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    item: String,
    passed: bool,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InspectionBody {
    alert_id: String,
    inspected_on: Option<NaiveDate>,
    results: Vec<InspectionBatch>,
}

/// Most batches accepted in one request.
const MAX_BATCHES: usize = 500;

/// Validates a body into store rows (`today` bounds the inspection date).
pub(crate) fn inspection_rows(
    body: InspectionBody,
    today: NaiveDate,
) -> Result<(String, Vec<InspectionResult>), ApiError> {
    let alert_id = body.alert_id.trim().to_string();
    if alert_id.is_empty() {
        return Err(ApiError::bad_request("alert_id: must not be empty"));
    }
    if body.results.is_empty() || body.results.len() > MAX_BATCHES {
        return Err(ApiError::bad_request(format!(
            "results: expected 1 to {MAX_BATCHES} batches, got {}",
            body.results.len()
        )));
    }
    let on = body.inspected_on.unwrap_or(today);
    if on > today + chrono::Duration::days(1) {
        return Err(ApiError::bad_request(format!(
            "inspected_on: {on} is in the future"
        )));
    }
    let mut rows = Vec::with_capacity(body.results.len());
    for (i, b) in body.results.into_iter().enumerate() {
        let batch = b.batch.trim().to_string();
        if batch.is_empty() {
            return Err(ApiError::bad_request(format!(
                "results[{i}].batch: must not be empty"
            )));
        }
        for (field, v) in [
            ("batch", &batch),
            ("party", &b.party),
            ("item", &b.item),
            ("note", &b.note),
        ] {
            check_len(&format!("results[{i}].{field}"), v)?;
        }
        rows.push(InspectionResult {
            alert_id: alert_id.clone(),
            batch,
            party: b.party.trim().to_string(),
            item: b.item.trim().to_string(),
            passed: b.passed,
            note: b.note.trim().to_string(),
            inspected_on: on,
        });
    }
    Ok((alert_id, rows))
}

/// The store rows of an inspection-results body given as JSON text (the API's body; used by
/// `jiance inspect-result`), validated as `POST /api/inspection-results` validates it.
pub fn inspection_rows_from_json(
    json: &str,
    today: NaiveDate,
) -> Result<(String, Vec<InspectionResult>), String> {
    let body: InspectionBody =
        serde_json::from_str(json).map_err(|e| format!("body: invalid JSON: {e}"))?;
    inspection_rows(body, today).map_err(|e| e.message)
}

pub(in crate::serve) async fn inspection_results(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<crate::serve::auth::Principal>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), ApiError> {
    json_content(&headers, &body)?;
    let body: InspectionBody = parse_body(body, None)?;
    let (alert_id, rows) = inspection_rows(body, crate::model::china_day(chrono::Utc::now()))?;
    let store = st.store.clone();
    let change = blocking(move || {
        if store.alert(&alert_id).map_err(store_error)?.is_none() {
            return Err(ApiError::not_found(format!("no alert {alert_id:?}")));
        }
        if store
            .sampling_request(&alert_id)
            .map_err(store_error)?
            .is_none()
        {
            return Err(ApiError {
                status: axum::http::StatusCode::CONFLICT,
                message: format!(
                    "alert {alert_id:?} has no sampling request to report results for"
                ),
            });
        }
        store
            .put_inspection_results(&alert_id, &rows, &who.actor())
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(format!("no alert {alert_id:?}")))
            .map(|c| (c, rows))
    })
    .await?;
    let (change, rows) = change;
    let failed = rows.iter().filter(|r| !r.passed).count();
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({
            "recorded": rows.len(),
            "failed": failed,
            "change": change,
        })),
    ))
}
