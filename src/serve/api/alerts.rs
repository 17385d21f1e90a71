//! `/api/alerts`: the ranked list (filtered and paged), one alert's page (evidence, sampling
//! request, history, acknowledgement, inspection results, brands) and its acknowledgement.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use serde::{Deserialize, Serialize};

use super::evidence::{EvidenceDoc, MAX_EVIDENCE, evidence};
use crate::model::{Action, Alert, AlertStatus, DocKind, SamplingRequest, Scope, ScoreTerm};
use crate::serve::reply::{blocking, store_error};
use crate::serve::request::{Params, check_len, json_content, parse_body, path_id};
use crate::serve::{ApiError, AppState};
use crate::store::{Acknowledgement, AlertChange, InspectionResult};

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

pub(in crate::serve) async fn alerts(
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
        let stale = crate::serve::atom::stale_sources(&store).map_err(store_error)?;
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

pub(in crate::serve) async fn alert(
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckBody {
    #[serde(default)]
    note: String,
}

pub(in crate::serve) async fn acknowledge(
    State(st): State<AppState>,
    axum::Extension(who): axum::Extension<crate::serve::auth::Principal>,
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
#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    use crate::serve::api::tests::alert;
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
}
