//! `jiance report`: counts, clusters, weighted scores and alert history per period and group, or
//! (`--unclassified`) the product nouns of unclassified signals per period, or (`--inspections`)
//! the failure rate per category and period from inspection records, as CSV, Parquet or a table
//! (glue over `jiance::report`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use jiance::config::{Every, ReportFormat};
use jiance::report::{
    ReportSpec, inspections_data_dir, parse_by, report_data_dir, unclassified_data_dir, write,
    write_inspections, write_products,
};

/// Which report.
pub enum Kind<'a> {
    /// Grouped by these columns.
    Grouped(&'a str),
    Unclassified,
    Inspections,
}

pub fn run(
    data: &Path,
    kind: Kind<'_>,
    every: Every,
    (from, until, last): (Option<NaiveDate>, Option<NaiveDate>, Option<u32>),
    format: ReportFormat,
    out: Option<PathBuf>,
    rules: Option<&Path>,
) -> Result<ExitCode> {
    let by = match kind {
        Kind::Grouped(by) => Some(parse_by(by)?),
        _ => None,
    };
    let (from, until) = match last {
        Some(0) => bail!("--last needs at least 1 period"),
        Some(n) => {
            let today = jiance::model::china_day(chrono::Utc::now());
            let (f, u, _) = jiance::report::last_complete_periods(every, today, n);
            (Some(f), Some(u))
        }
        None => (from, until),
    };
    if let (Some(f), Some(u)) = (from, until)
        && f > u
    {
        bail!("--from {f} is after --until {u}");
    }
    if !data.join("signals").is_dir() {
        bail!(
            "{} has no signals/ directory: not a jiance data directory (run `jiance demo --no-serve --data {}` to make one)",
            data.display(),
            data.display()
        );
    }
    if format == ReportFormat::Parquet && out.is_none() && std::io::stdout().is_terminal() {
        bail!("Parquet is binary: pass --out FILE (or pipe the output)");
    }
    let height = match by {
        Some(by) => {
            let spec = ReportSpec {
                by,
                every,
                from,
                until,
            };
            let report = report_data_dir(data, &spec, rules)?;
            write(&report, format, out.as_deref())?;
            report.height()
        }
        None if matches!(kind, Kind::Inspections) => {
            let report = inspections_data_dir(data, every, from, until)?;
            write_inspections(&report, format, out.as_deref())?;
            report.height()
        }
        None => {
            let report = unclassified_data_dir(data, every, from, until)?;
            write_products(&report, format, out.as_deref())?;
            report.height()
        }
    };
    if let Some(path) = out {
        eprintln!("{height} rows written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiance report --risk-list`: the key-product risk list of one quarter.
pub fn risk_list(
    data: &Path,
    every: Option<super::EveryArg>,
    until: Option<NaiveDate>,
    format: super::ReportFormatArg,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
    use super::ReportFormatArg as F;
    use jiance::report::risk;
    if every.is_some_and(|e| e != super::EveryArg::Quarter) {
        bail!("the risk list is per quarter: --every quarter (or leave --every out)");
    }
    let store = super::open_store(data)?;
    let signals = store.signals()?;
    let alerts = store.alerts()?;
    let records = store.inspections(&jiance::store::InspectionQuery::default())?;
    let listings: Vec<_> = store
        .records(&[jiance::model::DocKind::Listing])?
        .iter()
        .map(|(d, e)| jiance::market::listing(d, e))
        .collect();
    let Some(day) = until.or_else(|| signals.iter().map(|s| s.day()).max()) else {
        bail!(
            "{}: no signals to list (run `jiance run --once` or `jiance demo` first)",
            data.display()
        );
    };
    let rows = risk::build_risk_list(day, &signals, &alerts, &records, &listings);
    let (quarter, _, _) = risk::quarter_of(day);
    let bytes: Vec<u8> = match format {
        F::Csv => risk::to_csv(&rows)?,
        F::Html => risk::to_html(&rows, &quarter).into_bytes(),
        F::Table => {
            let mut t = format!(
                "{quarter} 重点消费品质量安全风险清单 ({} rows)\n",
                rows.len()
            );
            for r in &rows {
                t.push_str(&format!(
                    "{:>3}  {}  {}  alerts {} (level {})  severity {}  signals {} ({} docs, {} complaints{})  batches {}/{}{}  failed-item records {}  {} (before {})\n",
                    r.rank,
                    r.category,
                    r.hazard,
                    r.alerts,
                    r.max_level,
                    r.max_severity,
                    r.signals,
                    r.documents,
                    r.complaints,
                    r.complaints_per_10k
                        .map_or(String::new(), |x| format!(", {x:.2} per 10,000 sold")),
                    r.batches_failed,
                    r.batches_sampled,
                    r.failure_rate.map_or(String::new(), |f| format!(" = {:.1} %", f * 100.0)),
                    r.failed_item_records,
                    r.trend,
                    r.previous_signals
                ));
            }
            t.into_bytes()
        }
        F::Xlsx => {
            let Some(path) = &out else {
                bail!("--format xlsx needs --out FILE");
            };
            risk::to_xlsx(&rows, path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!(
                "{} rows of {quarter} written to {}",
                rows.len(),
                path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        F::Parquet => bail!("the risk list is written as csv, xlsx, html or table"),
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!(
                "{} rows of {quarter} written to {}",
                rows.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
