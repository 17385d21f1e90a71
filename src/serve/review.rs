//! The analysts' endpoints: cases (with their alerts, documents, on-sale findings and sampling
//! requests), triage of alerts and cases, labels on documents, and who is
//! asking. Reads need a viewer; triage and labels an analyst (see [`super::auth`]); every change
//! records the caller's name.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Extension, Path, State};
use serde::Deserialize;

use super::api::{documents, highlight_words};
use super::auth::Principal;
use super::reply::{blocking, store_error};
use super::request::{check_len, json_content, parse_body, path_id};
use super::{ApiError, AppState};
use crate::model::{Alert, SamplingRequest};
use crate::review::{
    Case, CaseEvidence, Dismissal, Label, LabelKind, LabelSnapshot, TriageChange, TriageState,
};
use crate::store::TriageRow;

type Body = Result<axum::body::Bytes, BytesRejection>;

/// `GET /api/me`: the caller's name and role.
pub(super) async fn me(Extension(p): Extension<Principal>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "name": p.name, "role": p.role.as_str() }))
}

/// `GET /api/review/options`: triage states and their allowed next states, dismissal reasons and
/// label kinds, so clients need not hard-code them.
pub(super) async fn options(State(st): State<AppState>) -> Json<serde_json::Value> {
    let states: Vec<serde_json::Value> = TriageState::ALL
        .iter()
        .map(|s| {
            serde_json::json!({
                "state": s.as_str(),
                "next": s.next().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(serde_json::json!({
        "states": states,
        "dismiss_reasons": st.review.dismiss_reason,
        "label_kinds": LabelKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
    }))
}

/// `GET /api/cases`: the cases of the last scoring run with their triage state.
pub(super) async fn cases(State(st): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let store = st.store.clone();
    let out = blocking(move || {
        let cases: Vec<Case> = store.cases().map_err(store_error)?;
        let triage = store.triage_all().map_err(store_error)?;
        let items: Vec<serde_json::Value> = cases
            .into_iter()
            .map(|c| {
                let t = triage.get(&("case".to_string(), c.id.clone()));
                let mut v = serde_json::to_value(&c).unwrap_or_default();
                v["triage"] = serde_json::json!(t.map_or("new", |t| t.state.as_str()));
                v["documents"] = serde_json::json!(c.timeline.len());
                v
            })
            .collect();
        Ok(serde_json::json!({ "total": items.len(), "cases": items }))
    })
    .await?;
    Ok(Json(out))
}

/// `GET /api/cases/{id}`: one case with its triage state and history, its alerts, its evidence
/// documents and its alerts' sampling requests.
pub(super) async fn case(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let index = st.index.clone();
    let out = blocking(move || {
        let case: Case = store
            .case(&id)
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(format!("no case {id:?}")))?;
        let alerts: Vec<Alert> = store
            .alerts()
            .map_err(store_error)?
            .into_iter()
            .filter(|a| case.alerts.contains(&a.id))
            .collect();
        let sampling: Vec<SamplingRequest> = store
            .sampling_requests()
            .map_err(store_error)?
            .into_iter()
            .filter(|s| case.alerts.contains(&s.alert_id))
            .collect();
        let ids: Vec<String> = case.timeline.iter().map(|e| e.doc_id.clone()).collect();
        let rows = store.documents(&ids).map_err(store_error)?;
        // the case's product and hazard words are what a reader looks for in its documents
        let highlight = highlight_words(&case.category, std::slice::from_ref(&case.hazard));
        let documents = documents(index.as_deref(), &rows, &ids, &highlight);
        let triage = store.triage("case", &case.id).map_err(store_error)?;
        let history: Vec<TriageChange> = store
            .triage_history("case", &case.id)
            .map_err(store_error)?;
        let onsale = case_onsale(&case, store.onsale().map_err(store_error)?);
        Ok(serde_json::json!({
            "onsale": onsale,
            "case": case,
            "triage": triage,
            "history": history,
            "alerts": alerts,
            "documents": documents,
            "sampling_requests": sampling,
        }))
    })
    .await?;
    Ok(Json(out))
}

/// The on-sale findings of a case: those whose recall, notice or listing is its evidence, and
/// those of its category naming its brand or enterprise.
fn case_onsale(
    case: &Case,
    findings: Vec<crate::model::OnSaleFinding>,
) -> Vec<crate::model::OnSaleFinding> {
    let docs: std::collections::HashSet<&str> =
        case.timeline.iter().map(|e| e.doc_id.as_str()).collect();
    let names = |f: &crate::model::OnSaleFinding| {
        [
            &f.flagged.brand,
            &f.flagged.enterprise,
            &f.listing.brand,
            &f.listing.enterprise,
        ]
        .into_iter()
        .map(|n| n.to_lowercase())
        .collect::<Vec<_>>()
    };
    findings
        .into_iter()
        .filter(|f| {
            docs.contains(f.flagged.doc_id.as_str())
                || f.flagged
                    .also_in
                    .iter()
                    .any(|n| docs.contains(n.doc_id.as_str()))
                || docs.contains(f.listing.doc_id.as_str())
                || (f.flagged.categories.contains(&case.category)
                    && case
                        .party
                        .as_deref()
                        .is_some_and(|p| names(f).iter().any(|n| !n.is_empty() && n.contains(p))))
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachBody {
    /// The document to attach (an id from search).
    doc_id: String,
}

/// `POST /api/cases/{id}/documents`: attach a document to a case by hand — one that raised no
/// alert of its own (or no signal at all) but belongs to the problem. Kept across scoring runs
/// while the case exists; `attached` is false when the case held the document already.
pub(super) async fn attach_document(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    json_content(&headers, &body)?;
    let body: AttachBody = parse_body(body, None)?;
    let doc_id = body.doc_id.trim().to_string();
    check_len("doc_id", &doc_id)?;
    let index = st
        .index
        .clone()
        .ok_or_else(|| ApiError::unavailable("the search index is not open"))?;
    let store = st.store.clone();
    let out = blocking(move || {
        let mut case: Case = store
            .case(&id)
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(format!("no case {id:?}")))?;
        let doc = index
            .get(&doc_id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found(format!("no document {doc_id:?}")))?;
        // a document without a date is shown on the case's last day
        let day = doc
            .published
            .as_deref()
            .and_then(|p| p.get(..10))
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or(case.last_day);
        let channel = serde_json::from_value(serde_json::json!(doc.channel)).map_err(|_| {
            ApiError::internal(format!("document {doc_id}: channel {:?}", doc.channel))
        })?;
        let kind = crate::model::DocKind::parse(&doc.kind)
            .ok_or_else(|| ApiError::internal(format!("document {doc_id}: kind {:?}", doc.kind)))?;
        let evidence = CaseEvidence {
            day,
            channel,
            kind,
            doc_id: doc_id.clone(),
            source: doc.source,
            attached: true,
        };
        let added = crate::review::cases::attach(&mut case, evidence.clone())
            && store
                .attach_document(&id, &doc_id, &evidence, &case, &who.actor())
                .map_err(store_error)?;
        Ok(serde_json::json!({ "attached": added, "by": who.name, "case": case }))
    })
    .await?;
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriageBody {
    /// The state to move to.
    to: String,
    /// A dismissal reason key of the rules, or free text (required to dismiss).
    #[serde(default)]
    reason: String,
}

/// `GET /api/{alerts|cases}/{id}/triage`: state and history.
pub(super) async fn triage_of(
    subject: &'static str,
    st: AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let out = blocking(move || {
        let t = store.triage(subject, &id).map_err(store_error)?;
        let h: Vec<TriageChange> = store.triage_history(subject, &id).map_err(store_error)?;
        Ok(serde_json::json!({ "subject": subject, "id": id, "triage": t, "history": h }))
    })
    .await?;
    Ok(Json(out))
}

pub(super) async fn alert_triage_get(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    triage_of("alert", st, id).await
}

pub(super) async fn case_triage_get(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    triage_of("case", st, id).await
}

pub(super) async fn alert_triage(
    State(st): State<AppState>,
    Extension(p): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    move_triage("alert", st, p, id, headers, body).await
}

pub(super) async fn case_triage(
    State(st): State<AppState>,
    Extension(p): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    move_triage("case", st, p, id, headers, body).await
}

/// Move an alert or case to another triage state: 409 when the move is not allowed from its
/// state (or someone moved it first), 400 for a dismissal without a reason.
async fn move_triage(
    subject: &'static str,
    st: AppState,
    who: Principal,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    json_content(&headers, &body)?;
    let body: TriageBody = parse_body(body, None)?;
    check_len("reason", &body.reason)?;
    let to = TriageState::parse(body.to.trim()).ok_or_else(|| {
        ApiError::bad_request(format!(
            "to: {:?} is not a state (new, review, confirmed, dismissed, closed)",
            body.to
        ))
    })?;
    let reason = body.reason.trim().to_string();
    if to == TriageState::Dismissed && reason.is_empty() {
        return Err(ApiError::bad_request(
            "reason: a dismissal needs a reason (a key of GET /api/review/options, or free text)",
        ));
    }
    let store = st.store.clone();
    let out = blocking(move || {
        // the item must exist
        let alert = if subject == "alert" {
            Some(
                store
                    .alert(&id)
                    .map_err(store_error)?
                    .ok_or_else(|| ApiError::not_found(format!("no alert {id:?}")))?,
            )
        } else {
            store
                .case::<Case>(&id)
                .map_err(store_error)?
                .ok_or_else(|| ApiError::not_found(format!("no case {id:?}")))?;
            None
        };
        let current = store.triage(subject, &id).map_err(store_error)?;
        let from = TriageState::parse(&current.state).unwrap_or(TriageState::New);
        if !from.can_become(to) {
            return Err(conflict(format!(
                "{subject} {id} is {}; from there it can become {}",
                from.as_str(),
                from.next()
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )));
        }
        let at = chrono::Utc::now();
        let change = TriageChange {
            subject: subject.into(),
            id: id.clone(),
            from,
            to,
            reason: reason.clone(),
            by: who.name.clone(),
            at,
        };
        let dismissal = match (&alert, to) {
            (Some(a), TriageState::Dismissed) => Some(Dismissal {
                alert_id: a.id.clone(),
                level: a.level,
                regions: a.regions.clone(),
                reason: reason.clone(),
                by: who.name.clone(),
                at,
            }),
            _ => None,
        };
        let row = TriageRow {
            state: to.as_str().into(),
            reason,
            by: who.name.clone(),
            at: at.to_rfc3339(),
        };
        match store
            .set_triage(
                subject,
                &id,
                from.as_str(),
                &row,
                &change,
                dismissal.as_ref(),
                &who.actor(),
            )
            .map_err(store_error)?
        {
            Ok(()) => Ok(serde_json::json!({ "triage": row, "change": change })),
            Err(now) => Err(conflict(format!(
                "{subject} {id} was moved to {now} meanwhile; look again"
            ))),
        }
    })
    .await?;
    Ok(Json(out))
}

fn conflict(message: String) -> ApiError {
    ApiError {
        status: axum::http::StatusCode::CONFLICT,
        message,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelBody {
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
}

/// `GET /api/documents/{id}/labels`
pub(super) async fn document_labels(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_id(id)?;
    let store = st.store.clone();
    let labels: Vec<Label> = blocking(move || store.labels(Some(&id)).map_err(store_error)).await?;
    Ok(Json(serde_json::json!({ "labels": labels })))
}

/// `GET /api/labels`: every label, oldest first.
pub(super) async fn labels(
    State(st): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let store = st.store.clone();
    let labels: Vec<Label> = blocking(move || store.labels(None).map_err(store_error)).await?;
    Ok(Json(
        serde_json::json!({ "total": labels.len(), "labels": labels }),
    ))
}

/// `POST /api/documents/{id}/labels`: label a document; the label keeps the document's text
/// and jiance's reading of it at this moment.
pub(super) async fn add_label(
    State(st): State<AppState>,
    Extension(who): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<Label>, ApiError> {
    let id = path_id(id)?;
    json_content(&headers, &body)?;
    let body: LabelBody = parse_body(body, None)?;
    let kind = LabelKind::parse(body.kind.trim()).ok_or_else(|| {
        ApiError::bad_request(format!(
            "kind: {:?} is not one of {}",
            body.kind,
            LabelKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let value = body.value.trim().to_string();
    if kind.needs_value() && value.is_empty() {
        return Err(ApiError::bad_request(format!(
            "value: {} needs the right value (a category, hazard or province)",
            kind.as_str()
        )));
    }
    if value.chars().count() > 64 {
        return Err(ApiError::bad_request("value: longer than 64 characters"));
    }
    check_len("note", &body.note)?;
    let index = st
        .index
        .clone()
        .ok_or_else(|| ApiError::unavailable("the search index is not open"))?;
    let store = st.store.clone();
    let label = blocking(move || {
        let doc = index
            .get(&id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found(format!("no document {id:?}")))?;
        let snapshot = LabelSnapshot {
            title: doc.title,
            text: doc.text,
            url: doc.url,
            kind: doc.kind,
            published: doc.published,
            categories: doc.categories,
            hazards: doc.hazards,
            provinces: doc.provinces,
            is_signal: doc.is_signal,
        };
        let at = chrono::Utc::now();
        let actor = who.actor();
        let detail = if value.is_empty() {
            kind.as_str().to_string()
        } else {
            format!("{}: {value}", kind.as_str())
        };
        store
            .add_label(
                &id,
                |n| Label {
                    id: n,
                    doc_id: id.clone(),
                    kind,
                    value,
                    note: body.note.trim().to_string(),
                    by: who.name.clone(),
                    at,
                    snapshot,
                },
                &actor,
                &detail,
            )
            .map_err(store_error)
    })
    .await?;
    Ok(Json(label))
}
