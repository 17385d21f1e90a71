//! The failure rate per category and period from inspection records (issue 47,
//! `jiance report --inspections`): for each period of `every` and category, the notices and
//! records filed, the batches sampled and failed over the records that state both, and their
//! ratio. A record over several products counts under `多类产品`; a record missing either number
//! counts in `records` but not in the rate (nothing is guessed).
//!
//! Columns: `period`, `category`, `notices` (distinct documents), `records`, `sampled`, `failed`,
//! `failure_rate` (failed ÷ sampled, six decimals; when nothing was sampled: empty in CSV and the
//! table, NaN in Parquet).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use unicode_width::UnicodeWidthStr;

use super::output::{csv_float, io_err, write_body};
use super::{ReportError, period_start};
use crate::config::{Every, ReportFormat};
use crate::model::StoredInspection;
use crate::store::columnar::{Col, StrCol, write_table};
use crate::store::{InspectionQuery, Store};

/// The category a record over several products is counted under.
pub const SEVERAL: &str = "多类产品";

/// One (period, category).
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionRow {
    pub period: NaiveDate,
    pub category: String,
    pub notices: i64,
    pub records: i64,
    /// Batches sampled and failed, over the records that state both.
    pub sampled: i64,
    pub failed: i64,
    pub failure_rate: Option<f64>,
}

/// The report: rows by period, then by category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectionReport {
    pub rows: Vec<InspectionRow>,
}

impl InspectionReport {
    pub const COLUMNS: [&'static str; 7] = [
        "period",
        "category",
        "notices",
        "records",
        "sampled",
        "failed",
        "failure_rate",
    ];

    pub fn height(&self) -> usize {
        self.rows.len()
    }
}

/// Count `records` per period of `every` and category.
pub fn build_inspections(records: &[StoredInspection], every: Every) -> InspectionReport {
    type Acc<'a> = (HashSet<&'a str>, i64, i64, i64);
    let mut acc: BTreeMap<(NaiveDate, String), Acc> = BTreeMap::new();
    for r in records {
        let Some(day) = r.record.date else { continue };
        let category = r.record.category.clone().unwrap_or_else(|| SEVERAL.into());
        let a = acc.entry((period_start(every, day), category)).or_default();
        a.0.insert(r.doc_id.as_str());
        a.1 += 1;
        if let (Some(s), Some(f)) = (r.record.sampled, r.record.failed) {
            a.2 += i64::try_from(s).unwrap_or(i64::MAX);
            a.3 += i64::try_from(f).unwrap_or(i64::MAX);
        }
    }
    let rows = acc
        .into_iter()
        .map(
            |((period, category), (docs, records, sampled, failed))| InspectionRow {
                period,
                category,
                notices: docs.len() as i64,
                records,
                sampled,
                failed,
                failure_rate: (sampled > 0).then(|| round6(failed as f64 / sampled as f64)),
            },
        )
        .collect();
    InspectionReport { rows }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The report of a data directory's stored records between `from` and `until` (Beijing days,
/// inclusive, either open).
pub fn inspections_data_dir(
    data: &Path,
    every: Every,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<InspectionReport, ReportError> {
    let state = data.join("state.sqlite");
    if !state.exists() {
        return Ok(InspectionReport::default());
    }
    let store = Store::open(&state)?;
    let records = store.inspections(&InspectionQuery {
        category: None,
        since: from,
        until,
    })?;
    Ok(build_inspections(&records, every))
}

/// Write the report as CSV, Parquet or an aligned table (as the other reports are written).
pub fn write_inspections(
    report: &InspectionReport,
    format: ReportFormat,
    out: Option<&Path>,
) -> Result<(), ReportError> {
    let body = match format {
        ReportFormat::Csv => to_csv(report).map_err(io_err(Path::new("CSV output")))?,
        ReportFormat::Parquet => to_parquet(report)?,
        ReportFormat::Table => format_inspections(report).into_bytes(),
    };
    write_body(&body, out)
}

fn cells(r: &InspectionRow) -> [String; 7] {
    [
        r.period.to_string(),
        r.category.clone(),
        r.notices.to_string(),
        r.records.to_string(),
        r.sampled.to_string(),
        r.failed.to_string(),
        r.failure_rate.map(csv_float).unwrap_or_default(),
    ]
}

fn to_csv(report: &InspectionReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(InspectionReport::COLUMNS)?;
    for r in &report.rows {
        w.write_record(cells(r))?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn to_parquet(report: &InspectionReport) -> Result<Vec<u8>, ReportError> {
    let rows = &report.rows;
    let period: Vec<i32> = rows.iter().map(|r| r.period.to_epoch_days()).collect();
    let category: StrCol = rows.iter().map(|r| Some(r.category.as_str())).collect();
    let notices: Vec<i64> = rows.iter().map(|r| r.notices).collect();
    let records: Vec<i64> = rows.iter().map(|r| r.records).collect();
    let sampled: Vec<i64> = rows.iter().map(|r| r.sampled).collect();
    let failed: Vec<i64> = rows.iter().map(|r| r.failed).collect();
    let rate: Vec<f64> = rows
        .iter()
        .map(|r| r.failure_rate.unwrap_or(f64::NAN))
        .collect();
    write_table(&[
        ("period", Col::Date(&period)),
        ("category", Col::Str(&category)),
        ("notices", Col::Int64(&notices)),
        ("records", Col::Int64(&records)),
        ("sampled", Col::Int64(&sampled)),
        ("failed", Col::Int64(&failed)),
        ("failure_rate", Col::Float64(&rate)),
    ])
    .map_err(|e| ReportError::Parquet(e.to_string()))
}

/// The report as aligned columns (CJK characters count double).
pub fn format_inspections(report: &InspectionReport) -> String {
    let mut lines: Vec<Vec<String>> = vec![
        InspectionReport::COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect(),
    ];
    lines.extend(report.rows.iter().map(|r| cells(r).to_vec()));
    let widths: Vec<usize> = (0..InspectionReport::COLUMNS.len())
        .map(|i| lines.iter().map(|l| l[i].width()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for l in &lines {
        let row: Vec<String> = l
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.width())))
            .collect();
        out.push_str(row.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InspectionRecord, RecordFrom};

    fn stored(
        doc: &str,
        day: &str,
        cat: Option<&str>,
        s: Option<u64>,
        f: Option<u64>,
    ) -> StoredInspection {
        StoredInspection {
            doc_id: doc.into(),
            seq: 0,
            title: String::new(),
            url: String::new(),
            record: InspectionRecord {
                category: cat.map(str::to_string),
                product: None,
                sampled: s,
                failed: f,
                enterprises: None,
                failed_items: Vec::new(),
                parties: Vec::new(),
                regulator: None,
                date: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
                from: RecordFrom::Text,
            },
        }
    }

    #[test]
    fn failure_rate_counts_only_records_that_state_both_numbers() {
        let recs = vec![
            stored("a", "2026-03-02", Some("电热毯"), Some(20), Some(3)),
            stored("b", "2026-03-20", Some("电热毯"), Some(30), Some(2)),
            stored("c", "2026-03-21", Some("电热毯"), None, Some(4)),
            stored("d", "2026-04-02", Some("电热毯"), Some(10), Some(0)),
            stored("e", "2026-03-05", None, Some(100), Some(9)),
        ];
        let r = build_inspections(&recs, Every::Month);
        let march = r
            .rows
            .iter()
            .find(|x| x.category == "电热毯" && x.period.to_string() == "2026-03-01")
            .unwrap();
        assert_eq!(
            (march.notices, march.records, march.sampled, march.failed),
            (3, 3, 50, 5)
        );
        assert_eq!(march.failure_rate, Some(0.1));
        assert!(
            r.rows
                .iter()
                .any(|x| x.category == SEVERAL && x.sampled == 100)
        );
        let table = format_inspections(&r);
        assert!(table.starts_with("period"), "{table}");
        assert!(table.contains("0.1"), "{table}");
    }
}
