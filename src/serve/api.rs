//! JSON endpoints. Handlers are thin: parse parameters (400 with the parameter's name on bad
//! input), do the blocking read on the blocking pool, shape the answer with plain functions that
//! the tests call directly.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState, IndexHandle, StoreHandle};
use crate::index::{Index, IndexError, MAX_WINDOW, SearchRequest, SearchResults, Sort};
use crate::model::{
    Action, Alert, AlertStatus, DocKind, SamplingRequest, Scope, ScoreTerm, Signal,
};
use crate::store::{Acknowledgement, AlertChange, DocumentRow, InspectionResult};

/// A non-negative integer written in digits; one too big for u64 is still a count, just above
/// any limit, so it saturates. `None` for anything else (signs, spaces, decimals, empty).
pub(crate) fn saturating_count(v: &str) -> Option<u64> {
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse::<u64>().unwrap_or(u64::MAX))
}

/// Query-string parameters, decoded leniently (a malformed escape never rejects the request).
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// [`Params::parse`] for a handler: a parameter given twice with different values is a 400
    /// naming it (which one was meant cannot be known; forms send one of each).
    pub(crate) fn from_query(raw: Option<&str>) -> Result<Params, ApiError> {
        let p = Params::parse(raw);
        for (key, _) in &p.0 {
            let mut values = p.values(key);
            if let Some(first) = values.next()
                && values.any(|v| v != first)
            {
                return Err(ApiError::bad_request(format!(
                    "{key}: given more than once with different values"
                )));
            }
        }
        Ok(p)
    }

    /// The non-blank values of `key`, trimmed. Blank is empty or spaces only (a form's empty
    /// field, `+`); a value of other whitespace (control characters) is not blank but empty after
    /// trimming, so a date or number parameter refuses it.
    fn values<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, v)| k.as_str() == key && !v.trim_matches(' ').is_empty())
            .map(|(_, v)| v.trim())
    }

    /// The last non-blank value of `key`, trimmed.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values(key).last()
    }

    fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// Whether `format` asks for CSV: absent or `json` is JSON, `csv` is CSV, anything else a 400.
    pub(crate) fn wants_csv(&self) -> Result<bool, ApiError> {
        match self.get("format") {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "format: expected json or csv, got {other:?}"
            ))),
        }
    }

    /// A count: `default` when absent, at most `max`; 400 when not a number.
    pub(crate) fn count(&self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match saturating_count(v) {
                Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(max)),
                None => Err(ApiError::bad_request(format!(
                    "{key}: expected a non-negative integer, got {v:?}"
                ))),
            },
        }
    }

    /// Like [`Params::count`], but a value above `max` is an error: cutting it would silently
    /// answer another question (offset 20000 is not offset 10000).
    fn count_at_most(&self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let n = self.count(key, default, usize::MAX)?;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "{key}: at most {max}, got {n}"
            )));
        }
        Ok(n)
    }

    pub(crate) fn date(&self, key: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.get(key)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_request(format!("{key}: expected a date YYYY-MM-DD, got {v:?}"))
                })
            })
            .transpose()
    }

    fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None | Some("0" | "false" | "no") => Ok(false),
            Some("1" | "true" | "yes") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!(
                "{key}: expected true or false, got {v:?}"
            ))),
        }
    }

    fn date_range(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
        let (since, until) = (self.date("since")?, self.date("until")?);
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(ApiError::bad_request(format!(
                "since ({s}) is after until ({u})"
            )));
        }
        Ok((since, until))
    }
}

/// Runs blocking work (tantivy, SQLite) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

pub(super) fn store_error(e: crate::store::StoreError) -> ApiError {
    ApiError::internal(e)
}

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

// ---------------------------------------------------------------- search

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

pub(super) async fn search(
    State(IndexHandle(index)): State<IndexHandle>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let req = search_request(&Params::from_query(raw.as_deref())?)?;
    Ok(Json(run_search(index, req).await?))
}

// ---------------------------------------------------------------- alerts

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertPage {
    /// Alerts matching the filters (all pages).
    pub total: usize,
    pub alerts: Vec<Alert>,
    /// `source-stale` entries: sources whose last successful crawl is older than their limit.
    #[serde(default)]
    pub stale_sources: Vec<StaleSource>,
}

/// A source the crawler has not been able to read for longer than its configured limit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StaleSource {
    /// Always `source-stale`, so feed consumers can tell these entries from alerts.
    pub kind: String,
    pub source: String,
    pub last_success: Option<String>,
    pub last_attempt: String,
    pub stale_after_secs: u64,
}

/// Filters (level, min_level, action, scope, category, region) and pages ranked alerts, keeping
/// their order.
pub(crate) fn page_alerts(alerts: Vec<Alert>, p: &Params) -> Result<AlertPage, ApiError> {
    let level = |key: &str| -> Result<Option<u8>, ApiError> {
        p.get(key)
            .map(|v| match v.parse::<u8>() {
                Ok(n @ 1..=4) => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "{key}: expected a risk level 1-4, got {v:?}"
                ))),
            })
            .transpose()
    };
    let (exact, min) = (level("level")?, level("min_level")?);
    let action = p
        .get("action")
        .map(|v| match v {
            "dismiss" => Ok(Action::Dismiss),
            "notify" => Ok(Action::Notify),
            "sample" => Ok(Action::Sample),
            _ => Err(ApiError::bad_request(format!(
                "action: expected dismiss, notify or sample, got {v:?}"
            ))),
        })
        .transpose()?;
    let scope = p
        .get("scope")
        .map(|v| match v {
            "regional" => Ok(Scope::Regional),
            "systemic" => Ok(Scope::Systemic),
            _ => Err(ApiError::bad_request(format!(
                "scope: expected regional or systemic, got {v:?}"
            ))),
        })
        .transpose()?;
    let status = p
        .get("status")
        .map(|v| {
            serde_json::from_value::<AlertStatus>(serde_json::Value::String(v.to_string())).map_err(
                |_| {
                    ApiError::bad_request(format!(
                        "status: expected new, escalated, deescalated, ongoing, closed or acknowledged, got {v:?}"
                    ))
                },
            )
        })
        .transpose()?;
    let category = p.get("category");
    let region = p.get("region");
    let limit = p.count("limit", 50, 500)?;
    let offset = p.count("offset", 0, usize::MAX)?;
    let matching: Vec<Alert> = alerts
        .into_iter()
        .filter(|a| exact.is_none_or(|l| a.level == l))
        .filter(|a| min.is_none_or(|l| a.level >= l))
        .filter(|a| action.is_none_or(|x| a.action == x))
        .filter(|a| scope.is_none_or(|s| a.scope == s))
        .filter(|a| status.is_none_or(|s| a.status == s))
        .filter(|a| category.is_none_or(|c| a.category == c))
        .filter(|a| region.is_none_or(|r| a.regions.iter().any(|x| x == r)))
        .collect();
    let total = matching.len();
    let alerts = matching.into_iter().skip(offset).take(limit).collect();
    Ok(AlertPage {
        total,
        alerts,
        stale_sources: Vec::new(),
    })
}

pub(super) async fn alerts(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<AlertPage>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    // Validate before touching the store so bad parameters are 400 whatever the store holds.
    page_alerts(Vec::new(), &p)?;
    let store = st.store.clone();
    let (all, stale) = blocking(move || {
        let mut all = store.alerts().map_err(store_error)?;
        let acks = store.acknowledgements().map_err(store_error)?;
        for a in &mut all {
            overlay_ack(a, acks.contains_key(&a.id));
        }
        let stale = super::atom::stale_sources(&store).map_err(store_error)?;
        Ok((all, stale))
    })
    .await?;
    let mut page = page_alerts(all, &p)?;
    // the days are the alert page's chart (`/api/alerts/{id}`); a ranked list of 50 alerts,
    // refreshed every half minute, carries no 50 daily series
    for a in &mut page.alerts {
        a.daily.clear();
    }
    page.stale_sources = stale
        .into_iter()
        .map(|h| StaleSource {
            kind: "source-stale".into(),
            source: h.source,
            last_success: h.last_success.map(|t| t.to_rfc3339()),
            last_attempt: h.last_attempt.to_rfc3339(),
            stale_after_secs: h.stale_after_secs,
        })
        .collect();
    Ok(Json(page))
}

/// An acknowledged alert shows as such (the store clears the acknowledgement when the alert
/// escalates, so an escalation is never hidden).
fn overlay_ack(a: &mut Alert, acknowledged: bool) {
    if acknowledged && a.status != AlertStatus::Escalated {
        a.status = AlertStatus::Acknowledged;
    }
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertDetail {
    pub alert: Alert,
    pub evidence: Vec<EvidenceDoc>,
    pub sampling_request: Option<SamplingRequest>,
    /// Every recorded change, oldest first.
    pub history: Vec<AlertChange>,
    pub acknowledgement: Option<Acknowledgement>,
    /// Inspection results recorded for the alert's sampling request, when any.
    pub inspection: Option<InspectionSummary>,
    /// The category's brands: reports, units sold, reports per 10,000 units beside the
    /// category's, and each brand's most disproportionate hazard (issue 20).
    #[serde(default)]
    pub brands: Vec<crate::market::exposure::BrandExposure>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InspectionSummary {
    pub batches: usize,
    pub passed: usize,
    pub failed: usize,
    pub results: Vec<InspectionResult>,
}

/// The breakdown term that shows inspection results on an alert. It is recorded after scoring
/// and says so: the score itself is not changed here (feeding results back into scoring is the
/// scoring stage's work).
pub(crate) const INSPECTION_TERM: &str = "inspection_failed";

/// Fewest reports of one hazard for a brand before its disproportionality is shown.
const BRAND_MIN_REPORTS: u32 = 2;

fn inspection_summary(results: Vec<InspectionResult>) -> Option<InspectionSummary> {
    if results.is_empty() {
        return None;
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    Some(InspectionSummary {
        batches: results.len(),
        passed: results.len() - failed,
        failed,
        results,
    })
}

/// Evidence shown per alert (the strongest first, as the alert lists them).
const MAX_EVIDENCE: usize = 50;

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

/// The alert id of a path: an id that is not valid percent-encoded UTF-8 (`/api/alerts/%FF`) is
/// a JSON 400 like every other error, not the framework's plain-text rejection.
pub(super) fn path_id(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(id)| id)
        .map_err(|e| ApiError::bad_request(format!("bad alert id in the path: {}", e.body_text())))
}

pub(super) async fn alert(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AlertDetail>, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let index = st.index.clone();
    let market = st.market.clone();
    let detail = blocking(move || {
        let Some(alert) = store.alert(&id).map_err(store_error)? else {
            return Err(ApiError::not_found(format!("no alert {id:?}")));
        };
        let sampling_request = store.sampling_request(&alert.id).map_err(store_error)?;
        let ids: Vec<String> = alert.evidence.iter().take(MAX_EVIDENCE).cloned().collect();
        let rows = store.documents(&ids).map_err(store_error)?;
        let evidence = evidence(index.as_deref(), &rows, &alert);
        let history = store.alert_history(&alert.id).map_err(store_error)?;
        let acknowledgement = store
            .acknowledgements()
            .map_err(store_error)?
            .remove(&alert.id);
        let inspection =
            inspection_summary(store.inspection_results(&alert.id).map_err(store_error)?);
        let signals = store.signals().map_err(store_error)?;
        let listings: Vec<crate::model::Listing> = store
            .records(&[DocKind::Listing])
            .map_err(store_error)?
            .iter()
            .map(|(d, e)| crate::market::listing(d, e))
            .collect();
        let brands = crate::market::exposure::brands(
            &market,
            &alert.category,
            &signals,
            &listings,
            BRAND_MIN_REPORTS,
        );
        let mut alert = alert;
        overlay_ack(&mut alert, acknowledgement.is_some());
        if let Some(i) = &inspection {
            alert.breakdown.push(ScoreTerm {
                name: INSPECTION_TERM.into(),
                value: i.failed as f64,
                note: format!(
                    "抽检结果：{} 批次中 {} 批次不合格（评分后录入，未计入本次评分）",
                    i.batches, i.failed
                ),
            });
        }
        Ok(AlertDetail {
            alert,
            evidence,
            sampling_request,
            history,
            acknowledgement,
            inspection,
            brands,
        })
    })
    .await?;
    Ok(Json(detail))
}

// ---------------------------------------------------------------- writes

/// A JSON body, with the extractor's failures as JSON errors (413 when over the body limit).
pub(super) fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    empty: Option<T>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| ApiError {
        status: e.status(),
        message: if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            format!("request body larger than {} bytes", super::BODY_LIMIT)
        } else {
            "could not read the request body".into()
        },
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace)
        && let Some(v) = empty
    {
        return Ok(v);
    }
    // an object, as the document says: serde would read a struct from an array too (`[]`)
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("body: invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request("body: expected a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}

/// A body, when there is one, must say it is JSON (`text/plain` is refused, not guessed at).
pub(super) fn json_content(
    headers: &axum::http::HeaderMap,
    body: &Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(), ApiError> {
    let has_body = body
        .as_ref()
        .is_ok_and(|b| !b.iter().all(u8::is_ascii_whitespace));
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !json {
        return Err(ApiError {
            status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "the request body must be application/json".into(),
        });
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckBody {
    #[serde(default)]
    note: String,
}

/// Longest free-text field accepted (notes, batch labels, party names).
pub(super) const MAX_TEXT: usize = 2000;

pub(super) fn check_len(field: &str, v: &str) -> Result<(), ApiError> {
    if v.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_request(format!(
            "{field}: longer than {MAX_TEXT} characters"
        )));
    }
    Ok(())
}

pub(super) async fn acknowledge(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    json_content(&headers, &body)?;
    let body: AckBody = parse_body(body, Some(AckBody::default()))?;
    check_len("note", &body.note)?;
    let store = st.store.clone();
    let ack = blocking(move || {
        store
            .acknowledge_with(&id, body.note.trim(), &who.actor())
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(format!("no alert {id:?}")))
    })
    .await?;
    Ok(Json(serde_json::json!({ "acknowledged": ack })))
}

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

pub(super) async fn inspection_results(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<super::auth::Principal>,
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

// ---------------------------------------------------------------- stats

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub category: String,
    pub signals: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    /// Signal rows counted.
    pub signals: u64,
    /// Distinct documents behind them.
    pub documents: u64,
    /// Signals per day and category, by day then category.
    pub by_day: Vec<DayCount>,
    /// Signals per province (`未知` when the text does not place it), most first.
    pub by_province: Vec<(String, u64)>,
    /// Signals per category, most first.
    pub by_category: Vec<(String, u64)>,
    /// The product nouns of unclassified (`未归类`) signals — products no category rule knows —
    /// most signals first, at most [`UNCLASSIFIED_TOP`].
    #[serde(default)]
    pub unclassified: Vec<ProductCount>,
}

/// Signals and documents of one unclassified product noun.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProductCount {
    /// The noun as written.
    pub product: String,
    pub signals: u64,
    pub documents: u64,
}

/// Most product nouns `/api/stats` lists (a dashboard table, not an export).
pub const UNCLASSIFIED_TOP: usize = 20;

/// Unplaced signals are counted under this name.
const UNKNOWN_REGION: &str = "未知";

fn most_first(m: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Signal counts (filters: since, until, category, province).
pub(crate) fn compute_stats(signals: &[Signal], p: &Params) -> Result<Stats, ApiError> {
    let (since, until) = p.date_range()?;
    let category = p.get("category");
    let province = p.get("province");
    let mut by_day: BTreeMap<(NaiveDate, String), u64> = BTreeMap::new();
    let mut by_province: HashMap<String, u64> = HashMap::new();
    let mut by_category: HashMap<String, u64> = HashMap::new();
    let mut docs: BTreeSet<&str> = BTreeSet::new();
    let mut products: HashMap<&str, (u64, BTreeSet<&str>)> = HashMap::new();
    let mut total = 0u64;
    for s in signals {
        let day = s.day();
        let prov = s.province.as_deref().unwrap_or(UNKNOWN_REGION);
        if since.is_some_and(|d| day < d)
            || until.is_some_and(|d| day > d)
            || category.is_some_and(|c| s.category != c)
            || province.is_some_and(|x| prov != x)
        {
            continue;
        }
        total += 1;
        docs.insert(&s.doc_id);
        *by_day.entry((day, s.category.clone())).or_default() += 1;
        *by_province.entry(prov.to_string()).or_default() += 1;
        *by_category.entry(s.category.clone()).or_default() += 1;
        if let Some(p) = s.product.as_deref() {
            let e = products.entry(p).or_default();
            e.0 += 1;
            e.1.insert(&s.doc_id);
        }
    }
    let mut unclassified: Vec<ProductCount> = products
        .into_iter()
        .map(|(product, (signals, docs))| ProductCount {
            product: product.to_string(),
            signals,
            documents: docs.len() as u64,
        })
        .collect();
    unclassified.sort_by(|a, b| {
        b.signals
            .cmp(&a.signals)
            .then_with(|| b.documents.cmp(&a.documents))
            .then_with(|| a.product.cmp(&b.product))
    });
    unclassified.truncate(UNCLASSIFIED_TOP);
    Ok(Stats {
        signals: total,
        documents: docs.len() as u64,
        by_day: by_day
            .into_iter()
            .map(|((day, category), signals)| DayCount {
                day,
                category,
                signals,
            })
            .collect(),
        by_province: most_first(by_province),
        by_category: most_first(by_category),
        unclassified,
    })
}

pub(super) async fn stats(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Stats>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    compute_stats(&[], &p)?;
    let store = st.store.clone();
    let signals = blocking(move || store.signals().map_err(store_error)).await?;
    Ok(Json(compute_stats(&signals, &p)?))
}

/// A CSV body sent as a download named `filename` (the `format=csv` answers of the list routes).
pub(crate) fn csv_download(bytes: Vec<u8>, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A printable page (the sampling request's, a jurisdiction package's): HTML under a policy that
/// loads nothing but the page's own stylesheet.
pub(crate) fn print_html(page: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ],
        page,
    )
        .into_response()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{AlertStatus, Channel, Parties, ScoreTerm};
    use axum::http::StatusCode;
    use chrono::{TimeZone, Utc};

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

    fn ranked() -> Vec<Alert> {
        vec![
            alert(
                "A",
                "电动自行车",
                4,
                Action::Sample,
                Scope::Systemic,
                &["浙江省", "江苏省"],
            ),
            alert(
                "B",
                "移动电源",
                3,
                Action::Sample,
                Scope::Regional,
                &["广东省"],
            ),
            alert(
                "C",
                "电热毯",
                2,
                Action::Notify,
                Scope::Regional,
                &["浙江省"],
            ),
            alert(
                "D",
                "玩具",
                1,
                Action::Dismiss,
                Scope::Regional,
                &["四川省"],
            ),
        ]
    }

    fn ids(p: &AlertPage) -> Vec<&str> {
        p.alerts.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn alert_filters_and_paging_keep_rank_order() {
        let p = |q: &str| Params::parse(Some(q));
        assert_eq!(
            ids(&page_alerts(ranked(), &p("")).unwrap()),
            vec!["A", "B", "C", "D"]
        );
        assert_eq!(
            ids(&page_alerts(ranked(), &p("region=浙江省")).unwrap()),
            vec!["A", "C"]
        );
        assert_eq!(
            ids(&page_alerts(
                ranked(),
                &p("region=%E6%B5%99%E6%B1%9F%E7%9C%81&action=notify")
            )
            .unwrap()),
            vec!["C"]
        );
        assert_eq!(
            ids(&page_alerts(ranked(), &p("min_level=3")).unwrap()),
            vec!["A", "B"]
        );
        assert_eq!(
            ids(&page_alerts(ranked(), &p("level=2")).unwrap()),
            vec!["C"]
        );
        assert_eq!(
            ids(&page_alerts(ranked(), &p("scope=systemic")).unwrap()),
            vec!["A"]
        );
        assert_eq!(
            ids(&page_alerts(ranked(), &p("category=玩具")).unwrap()),
            vec!["D"]
        );
        let page = page_alerts(ranked(), &p("limit=2&offset=1")).unwrap();
        assert_eq!(ids(&page), vec!["B", "C"]);
        assert_eq!(page.total, 4);
        for bad in [
            "level=5",
            "level=high",
            "action=ignore",
            "scope=local",
            "limit=-1",
            "offset=x",
        ] {
            let e = page_alerts(ranked(), &p(bad)).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{bad}");
            let key = bad.split('=').next().unwrap();
            assert!(e.message.starts_with(key), "{bad}: {}", e.message);
        }
    }

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

    fn signal(doc: &str, day: u32, category: &str, province: Option<&str>) -> Signal {
        Signal {
            doc_id: doc.into(),
            time: Utc
                .with_ymd_and_hms(2026, 3, day, 10, 0, 0)
                .single()
                .unwrap(),
            category: category.into(),
            hazard: "火灾".into(),
            severity: 4,
            province: province.map(str::to_string),
            city: None,
            source: "s".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight: 1.0,
            cluster: doc.into(),
            parties: Parties::default(),
            product: None,
        }
    }

    /// Product nouns are counted under the same filters as the rest, most signals first, then
    /// most documents, and cut at [`UNCLASSIFIED_TOP`].
    #[test]
    fn stats_list_unclassified_nouns_with_signals_and_documents() {
        let noun = |doc: &str, day: u32, province: Option<&str>, p: &str| Signal {
            product: Some(p.into()),
            ..signal(doc, day, "未归类", province)
        };
        let mut signals = vec![
            noun("d1", 1, Some("浙江省"), "暖宫贴"),
            noun("d1", 1, Some("浙江省"), "暖宫贴"),
            noun("d2", 2, Some("江苏省"), "筋膜枪"),
            noun("d3", 2, Some("浙江省"), "筋膜枪"),
            noun("d4", 9, Some("浙江省"), "暖宫贴"),
            signal("d5", 1, "电动自行车", Some("浙江省")),
        ];
        let s = compute_stats(&signals, &Params::parse(None)).unwrap();
        let got = |s: &Stats| -> Vec<(String, u64, u64)> {
            s.unclassified
                .iter()
                .map(|p| (p.product.clone(), p.signals, p.documents))
                .collect()
        };
        assert_eq!(got(&s), [("暖宫贴".into(), 3, 2), ("筋膜枪".into(), 2, 2)]);
        let s = compute_stats(
            &signals,
            &Params::parse(Some("province=浙江省&until=2026-03-05")),
        )
        .unwrap();
        assert_eq!(got(&s), [("暖宫贴".into(), 2, 1), ("筋膜枪".into(), 1, 1)]);
        let s = compute_stats(&signals, &Params::parse(Some("category=电动自行车"))).unwrap();
        assert!(s.unclassified.is_empty());
        for i in 0..UNCLASSIFIED_TOP + 5 {
            signals.push(noun(&format!("x{i}"), 3, None, &format!("新品{i:02}")));
        }
        let s = compute_stats(&signals, &Params::parse(None)).unwrap();
        assert_eq!(s.unclassified.len(), UNCLASSIFIED_TOP);
        assert_eq!(s.unclassified[2].product, "新品00", "ties by name");
        // The field is in the JSON the dashboard reads.
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["unclassified"][0]["product"], "暖宫贴");
        assert_eq!(json["unclassified"][0]["documents"], 2);
    }

    #[test]
    fn stats_count_by_day_category_and_province() {
        let signals = vec![
            signal("d1", 1, "电动自行车", Some("浙江省")),
            signal("d1", 1, "电动自行车", Some("浙江省")),
            signal("d2", 1, "移动电源", Some("江苏省")),
            signal("d3", 2, "电动自行车", None),
            signal("d4", 9, "电动自行车", Some("浙江省")),
        ];
        let s = compute_stats(&signals, &Params::parse(None)).unwrap();
        assert_eq!(s.signals, 5);
        assert_eq!(s.documents, 4);
        // Most first; ties by name (code point order).
        assert_eq!(
            s.by_province,
            vec![
                ("浙江省".into(), 3),
                ("未知".into(), 1),
                ("江苏省".into(), 1)
            ]
        );
        assert_eq!(s.by_category[0], ("电动自行车".to_string(), 4));
        let first = &s.by_day[0];
        assert_eq!(
            (
                first.day.to_string().as_str(),
                first.category.as_str(),
                first.signals
            ),
            ("2026-03-01", "电动自行车", 2)
        );
        assert_eq!(s.by_day.len(), 4);

        let s = compute_stats(
            &signals,
            &Params::parse(Some("since=2026-03-02&until=2026-03-05")),
        )
        .unwrap();
        assert_eq!(s.signals, 1);
        assert_eq!(s.by_province, vec![("未知".into(), 1)]);
        let s = compute_stats(
            &signals,
            &Params::parse(Some("province=浙江省&category=电动自行车")),
        )
        .unwrap();
        assert_eq!(s.signals, 3);
        assert!(compute_stats(&signals, &Params::parse(Some("since=yesterday"))).is_err());
    }

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
