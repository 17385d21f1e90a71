//! `/api/stats`: signal counts by day and category, province and category, and the product
//! nouns no category rule knows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::Signal;
use crate::serve::reply::{blocking, store_error};
use crate::serve::request::Params;
use crate::serve::{ApiError, AppState};

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

pub(in crate::serve) async fn stats(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Stats>, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    compute_stats(&[], &p)?;
    let store = st.store.clone();
    let signals = blocking(move || store.signals().map_err(store_error)).await?;
    Ok(Json(compute_stats(&signals, &p)?))
}
#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    use crate::model::{Channel, DocKind, Parties};

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
}
