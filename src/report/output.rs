//! A report written out: CSV (`csv` crate), Parquet (`store::columnar::write_table`: Date,
//! String, Int64, Float64 — what pandas, duckdb and polars open as is) or a text table aligned
//! for CJK text (`unicode-width`). A file is written whole to a temporary name and renamed.

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::{ProductReport, Report, ReportError};
use crate::config::ReportFormat;
use crate::store::columnar::{Col, StrCol, write_table};

pub(super) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write the report as CSV or Parquet to `out`, or as a text table. A file is written to a
/// temporary name and renamed, so a reader never sees half a report.
pub fn write(report: &Report, format: ReportFormat, out: Option<&Path>) -> Result<(), ReportError> {
    // A report is a period table: small enough to render in memory, then written whole.
    write_body(&render(report, format)?, out)
}

/// Write the unclassified-products report as [`write`] writes a report.
pub fn write_products(
    report: &ProductReport,
    format: ReportFormat,
    out: Option<&Path>,
) -> Result<(), ReportError> {
    let body = match format {
        ReportFormat::Csv => products_csv(report).map_err(io_err(Path::new("CSV output")))?,
        ReportFormat::Parquet => products_parquet(report)?,
        ReportFormat::Table => format_products(report).into_bytes(),
    };
    write_body(&body, out)
}

pub(super) fn write_body(body: &[u8], out: Option<&Path>) -> Result<(), ReportError> {
    match out {
        Some(path) => crate::util::fsx::write_atomic(path, body).map_err(io_err(path)),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(body)
                .and_then(|()| stdout.flush())
                .map_err(io_err(Path::new("standard output")))
        }
    }
}

/// The report's bytes in `format`.
fn render(report: &Report, format: ReportFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Csv => to_csv(report).map_err(io_err(Path::new("CSV output"))),
        ReportFormat::Parquet => to_parquet(report),
        ReportFormat::Table => Ok(format_table(report).into_bytes()),
    }
}

/// A score as CSV text: shortest decimal form that reads back as the same number, always with
/// a decimal point (`1.0`, `3.1`, `0.000001`), never an exponent.
pub(super) fn csv_float(v: f64) -> String {
    let s = v.to_string();
    if v.is_finite() && !s.contains('.') {
        format!("{s}.0")
    } else {
        s
    }
}

fn to_csv(report: &Report) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(report.columns())?;
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for r in &report.rows {
        let mut cells = vec![r.period.to_string()];
        cells.extend(r.groups.iter().map(|g| g.clone().unwrap_or_default()));
        cells.extend([
            r.signals.to_string(),
            r.clusters.to_string(),
            csv_float(r.score),
            opt(r.alerts_new),
            opt(r.alerts_escalated),
        ]);
        w.write_record(&cells)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn to_parquet(report: &Report) -> Result<Vec<u8>, ReportError> {
    let rows = &report.rows;
    let period: Vec<i32> = rows.iter().map(|r| r.period.to_epoch_days()).collect();
    let groups: Vec<StrCol> = (0..report.by.len())
        .map(|g| {
            rows.iter()
                .map(|r| r.groups.get(g).and_then(|v| v.as_deref()))
                .collect()
        })
        .collect();
    let signals: Vec<i64> = rows.iter().map(|r| r.signals).collect();
    let clusters: Vec<i64> = rows.iter().map(|r| r.clusters).collect();
    let score: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let new: Vec<Option<i64>> = rows.iter().map(|r| r.alerts_new).collect();
    let escalated: Vec<Option<i64>> = rows.iter().map(|r| r.alerts_escalated).collect();
    let mut cols = vec![("period", Col::Date(&period))];
    cols.extend(
        report
            .by
            .iter()
            .zip(&groups)
            .map(|(b, g)| (b.as_str(), Col::Str(g))),
    );
    cols.extend([
        ("signals", Col::Int64(&signals)),
        ("clusters", Col::Int64(&clusters)),
        ("score", Col::Float64(&score)),
        ("alerts_new", Col::OptInt64(&new)),
        ("alerts_escalated", Col::OptInt64(&escalated)),
    ]);
    write_table(&cols).map_err(|e| ReportError::Parquet(e.to_string()))
}

fn products_csv(report: &ProductReport) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ProductReport::COLUMNS)?;
    for r in &report.rows {
        w.write_record([
            r.period.to_string(),
            r.product.clone(),
            r.signals.to_string(),
            r.documents.to_string(),
            r.clusters.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn products_parquet(report: &ProductReport) -> Result<Vec<u8>, ReportError> {
    let rows = &report.rows;
    let period: Vec<i32> = rows.iter().map(|r| r.period.to_epoch_days()).collect();
    let product: StrCol = rows.iter().map(|r| Some(r.product.as_str())).collect();
    let signals: Vec<i64> = rows.iter().map(|r| r.signals).collect();
    let documents: Vec<i64> = rows.iter().map(|r| r.documents).collect();
    let clusters: Vec<i64> = rows.iter().map(|r| r.clusters).collect();
    write_table(&[
        ("period", Col::Date(&period)),
        ("product", Col::Str(&product)),
        ("signals", Col::Int64(&signals)),
        ("documents", Col::Int64(&documents)),
        ("clusters", Col::Int64(&clusters)),
    ])
    .map_err(|e| ReportError::Parquet(e.to_string()))
}

/// The unclassified-products report as aligned columns (as [`format_table`]).
pub fn format_products(report: &ProductReport) -> String {
    let names: Vec<String> = ProductReport::COLUMNS.map(String::from).to_vec();
    let cells: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.period.to_string(),
                r.product.clone(),
                r.signals.to_string(),
                r.documents.to_string(),
                r.clusters.to_string(),
            ]
        })
        .collect();
    let mut out = aligned(&names, &cells, 2);
    if cells.is_empty() {
        out.push_str("(no unclassified products in the period)\n");
    }
    out
}

/// Header, rule and rows, each column as wide as its widest cell; the columns from
/// `first_numeric` on right-aligned.
fn aligned(names: &[String], cells: &[Vec<String>], first_numeric: usize) -> String {
    let mut widths: Vec<usize> = names.iter().map(|n| n.width()).collect();
    for r in cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| pad(c, w, i >= first_numeric))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(names);
    line(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>());
    for r in cells {
        line(r);
    }
    out
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The report as aligned columns: a header, a rule, one line a row (CJK characters count
/// double; period and groups left-aligned, numbers right-aligned, scores to two decimals, null
/// as `–`).
pub fn format_table(report: &Report) -> String {
    let names: Vec<String> = report.columns().iter().map(|c| c.to_string()).collect();
    let opt = |v: Option<i64>| v.map_or_else(|| "–".to_string(), |n| n.to_string());
    let cells: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.period.to_string()];
            row.extend(
                r.groups
                    .iter()
                    .map(|g| g.clone().unwrap_or_else(|| "–".to_string())),
            );
            row.extend([
                r.signals.to_string(),
                r.clusters.to_string(),
                format!("{:.2}", r.score),
                opt(r.alerts_new),
                opt(r.alerts_escalated),
            ]);
            row
        })
        .collect();
    let mut out = aligned(&names, &cells, report.by.len() + 1);
    if cells.is_empty() {
        out.push_str("(no signals in the period)\n");
    }
    out
}
