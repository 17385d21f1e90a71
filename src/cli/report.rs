//! `jiance report`: counts, clusters, weighted scores and alert history per period and group, or
//! (`--unclassified`) the product nouns of unclassified signals per period, as CSV, Parquet or a
//! table (glue over `jiance::report`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use jiance::config::{Every, ReportFormat};
use jiance::report::{
    ReportSpec, parse_by, report_data_dir, unclassified_data_dir, write, write_products,
};

/// `by`: the group columns; `None` for the unclassified-products report.
pub fn run(
    data: &Path,
    by: Option<&str>,
    every: Every,
    (from, until, last): (Option<NaiveDate>, Option<NaiveDate>, Option<u32>),
    format: ReportFormat,
    out: Option<PathBuf>,
    rules: Option<&Path>,
) -> Result<ExitCode> {
    let by = by.map(parse_by).transpose()?;
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
