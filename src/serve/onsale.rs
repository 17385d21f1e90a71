//! `GET /api/onsale`: listings still selling recalled or failed products and listings breaking
//! the rules (no CCC claim, an outdated standard, a banned product) — the market stage's
//! findings — filtered by platform, the shop's region and basis, as JSON with per-platform and
//! per-province counts for the dashboard's filters, or as CSV (`format=csv`) for the platform or
//! the local unit to act on.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::reply::{blocking, csv_download, store_error};
use super::request::Params;
use super::{ApiError, AppState};
use crate::market::export;
use crate::model::{FlagBasis, OnSaleFinding};

/// Most findings one JSON page holds.
pub const MAX_LIMIT: usize = 1000;

/// One page of findings, with counts over all the filtered ones.
#[derive(Debug, Serialize)]
pub struct OnSalePage {
    pub total: usize,
    /// Findings per platform, over all findings (what the platform filter offers).
    pub platforms: BTreeMap<String, usize>,
    /// Findings per shop province, over all findings ("" for shops not placed).
    pub provinces: BTreeMap<String, usize>,
    /// Findings per basis (recall, failed, ccc, standard, banned), over all findings.
    pub bases: BTreeMap<String, usize>,
    pub findings: Vec<OnSaleFinding>,
}

pub(super) async fn onsale(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let csv = p.wants_csv()?;
    let limit = p.count("limit", 200, MAX_LIMIT)?;
    let offset = p.count("offset", 0, usize::MAX)?;
    let platform = p.get("platform").map(str::to_string);
    let region = p.get("region").map(str::to_string);
    let basis = match p.get("basis") {
        None | Some("") => None,
        Some(b) => Some(FlagBasis::parse(b).ok_or_else(|| {
            ApiError::bad_request(format!(
                "basis: expected one of recall, failed, ccc, standard, banned, got {b:?}"
            ))
        })?),
    };
    let store = st.store.clone();
    let all = blocking(move || store.onsale().map_err(store_error)).await?;
    let found: Vec<&OnSaleFinding> =
        export::filter(&all, platform.as_deref(), region.as_deref(), basis).collect();
    if csv {
        let bytes = export::csv(&found).map_err(ApiError::internal)?;
        return Ok(csv_download(bytes, "onsale.csv"));
    }
    let mut platforms = BTreeMap::new();
    let mut provinces = BTreeMap::new();
    let mut bases = BTreeMap::new();
    for f in &all {
        *bases
            .entry(f.flagged.basis.as_str().to_string())
            .or_insert(0) += 1;
        *platforms.entry(f.listing.platform.clone()).or_insert(0) += 1;
        *provinces
            .entry(f.listing.province.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let page = OnSalePage {
        total: found.len(),
        platforms,
        provinces,
        bases,
        findings: found
            .into_iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect(),
    };
    Ok(axum::Json(page).into_response())
}
