//! `/api/search`: the query string read into a search request, run on the index.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};

use crate::index::{Index, IndexError, MAX_WINDOW, SearchRequest, SearchResults, Sort};
use crate::model::DocKind;
use crate::serve::reply::blocking;
use crate::serve::request::Params;
use crate::serve::{ApiError, IndexHandle};

pub(crate) fn search_request(p: &Params) -> Result<SearchRequest, ApiError> {
    let sort = match p.get("sort") {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "sort: expected relevance or date, got {v:?}"
            )));
        }
    };
    let kind = p.owned("kind");
    if let Some(k) = &kind
        && DocKind::parse(k).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "kind: expected one of listing, complaint, media, notice, recall, inspection, standard; got {k:?}"
        )));
    }
    let (since, until) = p.date_range()?;
    Ok(SearchRequest {
        query: p.owned("q").unwrap_or_default(),
        category: p.owned("category"),
        hazard: p.owned("hazard"),
        region: p.owned("region"),
        kind,
        source: p.owned("source"),
        since,
        until,
        sort,
        limit: p.count("limit", 20, 100)?,
        offset: p.count_at_most("offset", 0, MAX_WINDOW)?,
        signals_only: p.flag("signals")?,
        histogram: match p.get("histogram") {
            None => None,
            Some("day") => Some(crate::index::Interval::Day),
            Some("week") => Some(crate::index::Interval::Week),
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "histogram: expected day or week, got {v:?}"
                )));
            }
        },
        literal: p.flag("literal")?,
        collapse: p.get("collapse").is_none() || p.flag("collapse")?,
        like: p.owned("like"),
    })
}

pub(crate) async fn run_search(
    index: Option<Arc<Index>>,
    req: SearchRequest,
) -> Result<SearchResults, ApiError> {
    let index = index.ok_or_else(|| ApiError::unavailable("the search index is not open"))?;
    blocking(move || index.search(&req).map_err(search_error)).await
}

/// A search failure as an API error: a bad query is the client's, anything else ours.
pub(crate) fn search_error(e: IndexError) -> ApiError {
    match e {
        IndexError::Query(m) => ApiError::bad_request(format!("query: {m}")),
        IndexError::NoDocument(id) => {
            ApiError::not_found(format!("like: no document with id {id:?}"))
        }
        other => ApiError::internal(other),
    }
}

pub(in crate::serve) async fn search(
    State(IndexHandle(index)): State<IndexHandle>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let req = search_request(&Params::from_query(raw.as_deref())?)?;
    Ok(Json(run_search(index, req).await?))
}
#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use chrono::NaiveDate;

    #[test]
    fn search_params_parse_and_validate() {
        let r = search_request(&Params::parse(Some(
            "q=%E8%B5%B7%E7%81%AB&category=电动自行车&since=2026-03-01&until=2026-03-31&sort=date&limit=500&signals=1",
        )))
        .unwrap();
        assert_eq!(r.query, "起火");
        assert_eq!(r.category.as_deref(), Some("电动自行车"));
        assert_eq!(r.since, NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(r.sort, Sort::Date);
        assert_eq!(r.limit, 100, "limit is capped");
        assert!(r.signals_only);
        // Blank values are absent values.
        let r = search_request(&Params::parse(Some("q=&category=&region=+"))).unwrap();
        assert_eq!(r.query, "");
        assert!(r.category.is_none() && r.region.is_none());
        assert!(search_request(&Params::parse(Some("signals=maybe"))).is_err());
        // A control character is not a blank form field: a date made of one is refused.
        assert!(search_request(&Params::parse(Some("since=%0C"))).is_err());
        // Two different values for one parameter: which was meant is unknown (schemathesis).
        let e = Params::from_query(Some("category=a&q=x&category=b"))
            .err()
            .unwrap();
        assert!(
            e.message.starts_with("category: given more than once"),
            "{}",
            e.message
        );
        let same = Params::from_query(Some("category=a&category=a&category=")).unwrap();
        assert_eq!(same.get("category"), Some("a"));
        // Malformed percent-escapes decode leniently instead of failing the request.
        assert!(search_request(&Params::parse(Some("q=%E8%B5"))).is_ok());
        // The window's end is refused, not cut: offset 10001 would answer as offset 10000.
        assert_eq!(
            search_request(&Params::parse(Some("offset=10000")))
                .unwrap()
                .offset,
            10_000
        );
        let e = search_request(&Params::parse(Some("offset=10001"))).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(
            e.message.starts_with("offset: at most 10000"),
            "{}",
            e.message
        );
    }
}
