//! A report written out: CSV (`csv` crate), Parquet (`store::columnar::write_table`: Date,
//! String, Int64, Float64 — what pandas, duckdb and polars open as is) or a text table aligned
//! for CJK text (`unicode-width`). A file is written whole to a temporary name and renamed.

use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::{Report, ReportError};
use crate::config::ReportFormat;
use crate::store::columnar::{Col, StrCol, write_table};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write the report as CSV or Parquet to `out`, or as a text table. A file is written to a
/// temporary name and renamed, so a reader never sees half a report.
pub fn write(report: &Report, format: ReportFormat, out: Option<&Path>) -> Result<(), ReportError> {
    // A report is a period table: small enough to render in memory, then written whole.
    let body = render(report, format)?;
    match out {
        Some(path) => crate::util::fsx::write_atomic(path, &body).map_err(io_err(path)),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&body)
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
    let numeric: Vec<bool> = (0..names.len()).map(|i| i > report.by.len()).collect();
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
    let mut widths: Vec<usize> = names.iter().map(|n| n.width()).collect();
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths.iter().zip(&numeric))
            .map(|(c, (&w, &right))| pad(c, w, right))
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&names);
    line(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>());
    for r in &cells {
        line(r);
    }
    if cells.is_empty() {
        out.push_str("(no signals in the period)\n");
    }
    out
}
