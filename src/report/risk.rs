//! The key-product risk list (重点消费品质量安全风险清单, issue 47 item 4): per quarter, the
//! categories × hazards that carried most risk — alerts and their highest level, the signals'
//! severity, the failure rate of the inspection records, complaints, and the trend against the
//! quarter before — each row with its evidence counts. `jiance report --risk-list` writes it as
//! CSV, XLSX, a printable page or a table.
//!
//! Ranking, most risk first: highest alert level, then alerts, then highest severity, then
//! failure rate, then complaints per 10,000 units sold, then signals. A row exists for every
//! category × hazard with a signal in the quarter or a failed item of an inspection record; the
//! failure rate is the category's (batches failed / sampled over the quarter's records that give
//! both numbers).
//!
//! Complaint rate per sales: the row's complaints per 10,000 units of the category sold, the units
//! being the sales counts of the category's listings seen in the quarter (one figure per listing,
//! summed, as `market::exposure` counts them: a floor of the units out there). When no listing of
//! the quarter gives a count the rate is empty — never a guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::model::{Alert, DocKind, Listing, Signal, StoredInspection};

/// One row of the risk list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRow {
    /// `2026Q4`.
    pub quarter: String,
    pub rank: usize,
    pub category: String,
    pub hazard: String,
    /// Alerts of the category naming the hazard, active in the quarter.
    pub alerts: usize,
    /// Their highest level (0: none).
    pub max_level: u8,
    /// The signals' highest severity (0: none).
    pub max_severity: u8,
    pub signals: usize,
    /// Distinct documents behind the signals.
    pub documents: usize,
    /// Signals from complaints.
    pub complaints: usize,
    /// Units of the category sold by the listings seen in the quarter that give a count.
    pub units_sold: Option<u64>,
    /// `complaints` per 10,000 of `units_sold` (none when no units are known).
    pub complaints_per_10k: Option<f64>,
    /// The category's batches sampled and failed in the quarter's inspection records.
    pub batches_sampled: u64,
    pub batches_failed: u64,
    pub failure_rate: Option<f64>,
    /// Inspection records naming a failed item of this hazard.
    pub failed_item_records: usize,
    /// Signals of the quarter before.
    pub previous_signals: usize,
    /// `rising`, `falling`, `steady` or `new`.
    pub trend: &'static str,
}

/// A quarter: its label and first and last day.
pub fn quarter_of(day: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let q = (day.month0() / 3) as i32;
    let first = NaiveDate::from_ymd_opt(day.year(), (q * 3 + 1) as u32, 1).unwrap_or(day);
    let next = if q == 3 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), (q * 3 + 4) as u32, 1)
    };
    let last = next.and_then(|d| d.pred_opt()).unwrap_or(day);
    (format!("{}Q{}", day.year(), q + 1), first, last)
}

fn within(d: NaiveDate, (from, until): (NaiveDate, NaiveDate)) -> bool {
    d >= from && d <= until
}

/// The units of each category sold by the listings seen within `span` that give a count.
fn units_sold(listings: &[Listing], span: (NaiveDate, NaiveDate)) -> BTreeMap<&str, u64> {
    let mut units: BTreeMap<&str, u64> = BTreeMap::new();
    for l in listings.iter().filter(|l| within(l.day, span)) {
        let Some(sold) = l.sales else { continue };
        let cats: BTreeSet<&str> = l.categories.iter().map(String::as_str).collect();
        for c in cats {
            let u = units.entry(c).or_default();
            *u = u.saturating_add(sold);
        }
    }
    units
}

/// The risk list of the quarter holding `day`; `listings` give the units sold behind the
/// complaint rate.
pub fn build_risk_list(
    day: NaiveDate,
    signals: &[Signal],
    alerts: &[Alert],
    records: &[StoredInspection],
    listings: &[Listing],
) -> Vec<RiskRow> {
    let (label, first, last) = quarter_of(day);
    let span = (first, last);
    let previous = first
        .pred_opt()
        .map(|d| {
            let (_, f, l) = quarter_of(d);
            (f, l)
        })
        .unwrap_or(span);
    #[derive(Default)]
    struct Acc {
        alerts: usize,
        max_level: u8,
        max_severity: u8,
        signals: usize,
        documents: BTreeSet<String>,
        complaints: usize,
        failed_item_records: usize,
        previous_signals: usize,
    }
    let mut acc: BTreeMap<(String, String), Acc> = BTreeMap::new();
    for s in signals {
        let d = s.day();
        let key = (s.category.clone(), s.hazard.clone());
        if within(d, span) {
            let a = acc.entry(key).or_default();
            a.signals += 1;
            a.max_severity = a.max_severity.max(s.severity);
            a.documents.insert(s.doc_id.clone());
            if s.kind == DocKind::Complaint {
                a.complaints += 1;
            }
        } else if within(d, previous) {
            acc.entry(key).or_default().previous_signals += 1;
        }
    }
    for a in alerts {
        // active in the quarter: first seen before its end, last updated after its start
        if a.first_seen > last || a.updated < first {
            continue;
        }
        for h in &a.hazards {
            let e = acc.entry((a.category.clone(), h.clone())).or_default();
            e.alerts += 1;
            e.max_level = e.max_level.max(a.level);
        }
    }
    let mut batches: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in records {
        let rec = &r.record;
        let (Some(category), Some(date)) = (&rec.category, rec.date) else {
            continue;
        };
        if !within(date, span) {
            continue;
        }
        if let (Some(sampled), Some(failed)) = (rec.sampled, rec.failed) {
            let b = batches.entry(category.clone()).or_default();
            b.0 += sampled;
            b.1 += failed;
        }
        let hazards: BTreeSet<&str> = rec.failed_items.iter().map(|i| i.hazard.as_str()).collect();
        for h in hazards.into_iter().filter(|h| !h.is_empty()) {
            acc.entry((category.clone(), h.to_string()))
                .or_default()
                .failed_item_records += 1;
        }
    }
    let units = units_sold(listings, span);
    let mut rows: Vec<RiskRow> = acc
        .into_iter()
        .filter(|(_, a)| a.signals > 0 || a.alerts > 0 || a.failed_item_records > 0)
        .map(|((category, hazard), a)| {
            let (sampled, failed) = batches.get(&category).copied().unwrap_or_default();
            let sold = units.get(category.as_str()).copied().filter(|u| *u > 0);
            let trend = if a.previous_signals == 0 {
                if a.signals > 0 { "new" } else { "steady" }
            } else if a.signals * 4 >= a.previous_signals * 5 {
                "rising"
            } else if a.signals * 5 <= a.previous_signals * 4 {
                "falling"
            } else {
                "steady"
            };
            RiskRow {
                quarter: label.clone(),
                rank: 0,
                category,
                hazard,
                alerts: a.alerts,
                max_level: a.max_level,
                max_severity: a.max_severity,
                signals: a.signals,
                documents: a.documents.len(),
                complaints: a.complaints,
                units_sold: sold,
                complaints_per_10k: sold.map(|u| a.complaints as f64 * 10_000.0 / u as f64),
                batches_sampled: sampled,
                batches_failed: failed,
                failure_rate: (sampled > 0).then(|| failed as f64 / sampled as f64),
                failed_item_records: a.failed_item_records,
                previous_signals: a.previous_signals,
                trend,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.max_level
            .cmp(&a.max_level)
            .then(b.alerts.cmp(&a.alerts))
            .then(b.max_severity.cmp(&a.max_severity))
            .then(
                b.failure_rate
                    .unwrap_or(0.0)
                    .total_cmp(&a.failure_rate.unwrap_or(0.0)),
            )
            .then(
                b.complaints_per_10k
                    .unwrap_or(0.0)
                    .total_cmp(&a.complaints_per_10k.unwrap_or(0.0)),
            )
            .then(b.signals.cmp(&a.signals))
            .then(a.category.cmp(&b.category))
            .then(a.hazard.cmp(&b.hazard))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

/// The column names, in the order of [`cells`].
pub const COLUMNS: [&str; 18] = [
    "quarter",
    "rank",
    "category",
    "hazard",
    "alerts",
    "max_level",
    "max_severity",
    "signals",
    "documents",
    "complaints",
    "units_sold",
    "complaints_per_10k",
    "batches_sampled",
    "batches_failed",
    "failure_rate",
    "failed_item_records",
    "previous_signals",
    "trend",
];

/// A row's cells as text, in the order of [`COLUMNS`].
pub fn cells(r: &RiskRow) -> [String; 18] {
    [
        r.quarter.clone(),
        r.rank.to_string(),
        r.category.clone(),
        r.hazard.clone(),
        r.alerts.to_string(),
        r.max_level.to_string(),
        r.max_severity.to_string(),
        r.signals.to_string(),
        r.documents.to_string(),
        r.complaints.to_string(),
        r.units_sold.map_or(String::new(), |u| u.to_string()),
        r.complaints_per_10k
            .map_or(String::new(), |x| format!("{x:.4}")),
        r.batches_sampled.to_string(),
        r.batches_failed.to_string(),
        r.failure_rate.map_or(String::new(), |f| format!("{f:.4}")),
        r.failed_item_records.to_string(),
        r.previous_signals.to_string(),
        r.trend.to_string(),
    ]
}

/// CSV with a header.
pub fn to_csv(rows: &[RiskRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(cells(r))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// An XLSX workbook of one sheet, written to `path`.
pub fn to_xlsx(rows: &[RiskRow], path: &std::path::Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("风险清单")?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, v) in cells(r).iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) if c != 0 => sheet.write_number(row, c as u16, n)?,
                _ => sheet.write_string(row, c as u16, v)?,
            };
        }
    }
    book.save(path)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A printable page (A4, no script, no outside assets).
pub fn to_html(rows: &[RiskRow], quarter: &str) -> String {
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>重点消费品质量安全风险清单 {}</title>",
        escape(quarter)
    ));
    h.push_str("<style>@page{size:A4 landscape;margin:12mm}body{font-family:sans-serif;font-size:11px}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:2px 4px;text-align:right}td:nth-child(2),td:nth-child(3),td:nth-child(17){text-align:left}</style></head><body>");
    h.push_str(&format!(
        "<h1>重点消费品质量安全风险清单 {}</h1><p>按最高预警级别、预警数、最高严重度、不合格率、每万件销量投诉、风险信息数排序。</p>",
        escape(quarter)
    ));
    h.push_str("<table><thead><tr><th>排名</th><th>品类</th><th>危害</th><th>预警</th><th>最高级别</th><th>最高严重度</th><th>风险信息</th><th>文档</th><th>投诉</th><th>销量</th><th>每万件销量投诉</th><th>抽查批次</th><th>不合格批次</th><th>不合格率</th><th>不合格项目记录</th><th>上季度信息</th><th>趋势</th></tr></thead><tbody>");
    for r in rows {
        let c = cells(r);
        h.push_str("<tr>");
        for v in c.iter().skip(1) {
            h.push_str(&format!("<td>{}</td>", escape(v)));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, AlertStatus, FailedItem, InspectionRecord, RecordFrom, Scope};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn signal(doc: &str, d: &str, category: &str, hazard: &str, kind: DocKind) -> Signal {
        let mut s: Signal = serde_json::from_value(serde_json::json!({
            "doc_id": doc, "time": format!("{d}T04:00:00Z"), "category": category, "hazard": hazard,
            "severity": 3, "province": "浙江省", "source": "s", "channel": "media", "kind": "media",
            "weight": 1.0, "cluster": doc
        }))
        .unwrap();
        s.kind = kind;
        s
    }

    fn alert(category: &str, hazards: &[&str], level: u8, from: &str, to: &str) -> Alert {
        Alert {
            id: format!("a-{category}"),
            category: category.into(),
            hazards: hazards.iter().map(|h| h.to_string()).collect(),
            scope: Scope::Regional,
            regions: vec!["浙江省".into()],
            level,
            action: Action::Notify,
            score: 1.0,
            breakdown: Vec::new(),
            evidence: Vec::new(),
            first_seen: day(from),
            updated: day(to),
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }

    #[test]
    fn quarters_start_and_end_where_the_calendar_says() {
        assert_eq!(
            quarter_of(day("2026-11-20")),
            ("2026Q4".into(), day("2026-10-01"), day("2026-12-31"))
        );
        assert_eq!(quarter_of(day("2026-02-28")).1, day("2026-01-01"));
        assert_eq!(quarter_of(day("2026-06-30")).2, day("2026-06-30"));
    }

    #[test]
    fn rows_rank_by_level_then_alerts_and_carry_their_evidence() {
        let signals = vec![
            signal("d1", "2026-10-05", "电热毯", "火灾", DocKind::Complaint),
            signal("d2", "2026-10-06", "电热毯", "火灾", DocKind::Media),
            signal("d3", "2026-11-01", "童车", "跌落/倾倒", DocKind::Media),
            signal("d4", "2026-08-01", "童车", "跌落/倾倒", DocKind::Media),
            signal("d5", "2026-08-02", "童车", "跌落/倾倒", DocKind::Media),
            signal("d6", "2025-11-01", "电热毯", "触电", DocKind::Media),
        ];
        let alerts = vec![
            alert("电热毯", &["火灾"], 3, "2026-10-05", "2026-10-20"),
            alert("童车", &["跌落/倾倒"], 2, "2026-07-01", "2026-07-20"),
        ];
        let records = vec![StoredInspection {
            doc_id: "n1".into(),
            seq: 0,
            title: "抽查".into(),
            url: String::new(),
            record: InspectionRecord {
                category: Some("童车".into()),
                product: Some("童车".into()),
                sampled: Some(40),
                failed: Some(4),
                enterprises: None,
                failed_items: vec![FailedItem {
                    item: "锁定装置".into(),
                    hazard: "夹伤/挤压".into(),
                }],
                parties: Vec::new(),
                regulator: None,
                date: Some(day("2026-11-10")),
                from: RecordFrom::Text,
            },
        }];
        let rows = build_risk_list(day("2026-11-20"), &signals, &alerts, &records, &[]);
        let names: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.category.as_str(), r.hazard.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("电热毯", "火灾"),
                ("童车", "跌落/倾倒"),
                ("童车", "夹伤/挤压")
            ],
            "{rows:#?}"
        );
        let top = &rows[0];
        assert_eq!(
            (top.alerts, top.max_level, top.signals, top.complaints),
            (1, 3, 2, 1)
        );
        assert_eq!(top.trend, "new");
        let falls = &rows[1];
        assert_eq!(
            (falls.signals, falls.previous_signals, falls.trend),
            (1, 2, "falling")
        );
        assert_eq!(falls.failure_rate, Some(0.1));
        assert_eq!(
            falls.alerts, 0,
            "an alert of the quarter before is not this quarter's"
        );
        assert_eq!(rows[2].failed_item_records, 1);
        assert!(
            rows.iter()
                .all(|r| r.units_sold.is_none() && r.complaints_per_10k.is_none()),
            "no listings, no sales: no rate"
        );
        let csv = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        assert!(csv.starts_with("quarter,rank,category"), "{csv}");
        assert_eq!(csv.lines().count(), 4);
        assert!(to_html(&rows, "2026Q4").contains("<td>电热毯</td>"));
    }

    fn listing(id: &str, d: &str, category: &str, sales: Option<u64>) -> Listing {
        Listing {
            doc_id: id.into(),
            categories: vec![category.into(), category.into()],
            sales,
            day: day(d),
            ..Listing::default()
        }
    }

    #[test]
    fn complaints_per_10k_units_come_from_the_quarters_listings_with_sales() {
        let signals = vec![
            signal("c1", "2026-10-05", "电热毯", "火灾", DocKind::Complaint),
            signal("c2", "2026-10-08", "电热毯", "火灾", DocKind::Complaint),
            signal("m1", "2026-10-09", "电热毯", "火灾", DocKind::Media),
            signal("c3", "2026-10-10", "电热毯", "触电", DocKind::Complaint),
            signal("c4", "2026-11-02", "童车", "跌落/倾倒", DocKind::Complaint),
            signal("c5", "2026-11-03", "玩具", "误吞", DocKind::Complaint),
        ];
        let listings = vec![
            listing("l1", "2026-10-03", "电热毯", Some(3000)),
            listing("l2", "2026-11-15", "电热毯", Some(2000)),
            // no count, or seen in another quarter: not this quarter's units
            listing("l3", "2026-11-16", "电热毯", None),
            listing("l4", "2026-06-30", "电热毯", Some(100_000)),
            listing("l5", "2026-06-30", "童车", Some(500)),
            listing("l6", "2026-10-30", "童车", Some(0)),
            listing("l7", "2026-10-30", "玩具", Some(500)),
        ];
        let rows = build_risk_list(day("2026-11-20"), &signals, &[], &[], &listings);
        let row = |c: &str, h: &str| {
            rows.iter()
                .find(|r| r.category == c && r.hazard == h)
                .unwrap_or_else(|| panic!("no row {c} {h}: {rows:#?}"))
        };
        let fire = row("电热毯", "火灾");
        assert_eq!(fire.complaints, 2);
        // the category's units counted once a listing, whatever categories it repeats
        assert_eq!(fire.units_sold, Some(5000));
        assert_eq!(fire.complaints_per_10k, Some(4.0));
        assert_eq!(row("电热毯", "触电").complaints_per_10k, Some(2.0));
        // the rate ranks rows alike in level, alerts, severity and failure rate, before signals
        let order: Vec<&str> = rows.iter().map(|r| r.hazard.as_str()).collect();
        assert_eq!(order, ["误吞", "火灾", "触电", "跌落/倾倒"], "{rows:#?}");
        let falls = row("童车", "跌落/倾倒");
        assert_eq!((falls.units_sold, falls.complaints_per_10k), (None, None));
        let csv = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |name: &str| head.iter().position(|h| *h == name).unwrap();
        let cells: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let of = |c: &str, h: &str| {
            cells
                .iter()
                .find(|r| r[at("category")] == c && r[at("hazard")] == h)
                .unwrap()
        };
        assert_eq!(of("电热毯", "火灾")[at("units_sold")], "5000");
        assert_eq!(of("电热毯", "火灾")[at("complaints_per_10k")], "4.0000");
        assert_eq!(of("童车", "跌落/倾倒")[at("complaints_per_10k")], "");
        let page = to_html(&rows, "2026Q4");
        assert!(page.contains("<th>每万件销量投诉</th>"), "{page}");
        assert!(page.contains("<td>4.0000</td>"), "{page}");
    }
}
