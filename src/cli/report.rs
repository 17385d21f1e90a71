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
