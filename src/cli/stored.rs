//! The commands that read what a data directory holds: `alerts`, `onsale`, `status`, `report`,
//! `search`, `rerun` and `diff-alerts`.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{
    Command, EveryArg, ReportFormatArg, config_errors, diff_alerts, fetch, open_store, output,
    report, rerun, search,
};
use jiance::pipeline::RuleDirs;

/// Run a command of this group ([`super::run`] sends only these here).
pub(super) fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Search(args) => search::run(args),
        Command::Alerts { data, json } => alerts(&data.data, json),
        Command::Onsale {
            data,
            platform,
            region,
            basis,
            json,
            csv,
            rematch,
            rules,
        } => onsale(
            &data.data,
            platform,
            region,
            basis,
            json,
            csv,
            rematch,
            &rules.dirs(),
        ),
        Command::Rerun(args) => rerun::run(args),
        Command::DiffAlerts(args) => diff_alerts::run(args),
        Command::Status { data, json } => status(&data.data, json),
        Command::Report {
            data,
            risk_list: true,
            every,
            until,
            format,
            out,
            ..
        } => report::risk_list(&data.data, every, until, format, out),
        Command::Report {
            data,
            by,
            unclassified,
            inspections,
            every,
            from,
            until,
            last,
            format,
            out,
            rules,
            ..
        } => report::run(
            &data.data,
            match (unclassified, inspections) {
                (true, _) => report::Kind::Unclassified,
                (_, true) => report::Kind::Inspections,
                _ => report::Kind::Grouped(by.as_str()),
            },
            report_every(every)?,
            (from, until, last),
            report_format(format)?,
            out,
            rules.as_deref(),
        ),
        other => unreachable!("not a command reading a data directory: {other:?}"),
    }
}

/// `jiance alerts`: the stored alerts as a table or JSON.
fn alerts(data: &std::path::Path, json: bool) -> Result<ExitCode> {
    let store = open_store(data)?;
    let alerts = store.alerts()?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&output::alerts_json(&alerts))?
        );
    } else {
        output::print_alerts(&alerts);
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiance status`: what the store and the index hold.
fn status(data: &std::path::Path, json: bool) -> Result<ExitCode> {
    // the index's document count needs no tokenizer: an empty one opens it faster
    let index_dir = jiance::pipeline::DataDir::new(data).index();
    let index_documents = if index_dir.exists() {
        Some(
            jiance::index::Index::open(&index_dir, std::sync::Arc::new(jieba_rs::Jieba::empty()))
                .with_context(|| format!("{}: cannot open the index", index_dir.display()))?
                .num_docs(),
        )
    } else {
        None
    };
    fetch::status(&open_store(data)?, index_documents, json)
}

/// The period of a grouped report (a week unless given); a quarter is for the risk list only.
fn report_every(every: Option<EveryArg>) -> Result<jiance::config::Every> {
    Ok(match every.unwrap_or(EveryArg::Week) {
        EveryArg::Day => jiance::config::Every::Day,
        EveryArg::Week => jiance::config::Every::Week,
        EveryArg::Month => jiance::config::Every::Month,
        EveryArg::Quarter => {
            anyhow::bail!("--every quarter is for the risk list (--risk-list) only")
        }
    })
}

/// The format of a grouped report; xlsx and html are for the risk list only.
fn report_format(format: ReportFormatArg) -> Result<jiance::config::ReportFormat> {
    Ok(match format {
        ReportFormatArg::Csv => jiance::config::ReportFormat::Csv,
        ReportFormatArg::Parquet => jiance::config::ReportFormat::Parquet,
        ReportFormatArg::Table => jiance::config::ReportFormat::Table,
        ReportFormatArg::Xlsx | ReportFormatArg::Html => {
            anyhow::bail!("--format xlsx and html are for the risk list (--risk-list) only")
        }
    })
}

/// `jiance onsale`: the stored on-sale findings, filtered, as a table, JSON or CSV.
#[allow(clippy::too_many_arguments)]
fn onsale(
    data: &std::path::Path,
    platform: Option<String>,
    region: Option<String>,
    basis: Option<jiance::model::FlagBasis>,
    json: bool,
    csv: bool,
    rematch: bool,
    rules: &RuleDirs,
) -> Result<ExitCode> {
    let store = open_store(data)?;
    if rematch {
        let market =
            jiance::market::MarketRules::load(rules.rules.as_deref()).map_err(config_errors)?;
        let compliance =
            jiance::market::Compliance::load(rules.rules.as_deref()).map_err(config_errors)?;
        let records = store.records(&jiance::market::MARKET_KINDS)?;
        let today = jiance::model::china_day(chrono::Utc::now());
        let run = jiance::market::scan(&market, &compliance, &records, today);
        store.put_onsale(&run.findings)?;
        eprintln!(
            "matched {} listings against {} recalled or failed products ({} of them republished \
             copies, merged): {} findings, {} of them rules broken",
            run.listings,
            run.flagged,
            run.merged,
            run.findings.len(),
            run.breaches
        );
    }
    let all = store.onsale()?;
    let found: Vec<&jiance::model::OnSaleFinding> =
        jiance::market::export::filter(&all, platform.as_deref(), region.as_deref(), basis)
            .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else if csv {
        use std::io::Write;
        std::io::stdout().write_all(&jiance::market::export::csv(&found)?)?;
    } else {
        output::print_onsale(&found);
    }
    Ok(ExitCode::SUCCESS)
}
