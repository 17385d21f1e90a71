//! `GET /api/audit` (operator): the audit log of writes — who acknowledged, triaged, labelled,
//! recorded inspection results or changed a watch rule, and when — newest first, paged. The
//! rows are written by the store in each write's own transaction (`store::audit`).

use axum::Json;
use axum::extract::{RawQuery, State};

use super::reply::{blocking, store_error};
use super::request::Params;
use super::{ApiError, AppState};

/// Largest page.
pub const MAX_LIMIT: usize = 500;

pub(super) async fn audit(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let limit = p.count("limit", 50, MAX_LIMIT)?;
    let offset = p.count("offset", 0, usize::MAX)?;
    let store = st.store.clone();
    let (total, entries) =
        blocking(move || store.audit(limit, offset).map_err(store_error)).await?;
    Ok(Json(serde_json::json!({
        "total": total,
        "limit": limit,
        "offset": offset,
        "entries": entries,
    })))
}
