//! `jiance search`: the index's search from the command line, printed as a table or JSON, or the
//! whole result set exported to a CSV or XLSX file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Args;
use jiance::index::{ExportFormat, Interval, SearchRequest, Sort};

use super::{DataArg, IntervalArg, RuleArgs, SortArg, open_index, output};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words or "phrases"; AND by default, OR and NOT (or -word) allowed. Empty: everything.
    /// A word the rules know as a product alias or hazard term finds its whole concept
    /// (电瓶车 → 电动自行车, 电动车 …; 起火 → 着火, 自燃 …); "quoted" words stay literal.
    /// Filters may be written in the query: category:电动自行车 hazard:火灾 province:浙江省
    /// city:杭州市 kind:complaint source:NAME since:2026-01-01 until:2026-02-01.
    #[arg(default_value = "")]
    pub query: String,
    #[command(flatten)]
    pub data: DataArg,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub hazard: Option<String>,
    /// Province or city.
    #[arg(long)]
    pub region: Option<String>,
    /// listing, complaint, media, notice, recall, inspection, standard
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Published on or before (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Only documents that are risk signals.
    #[arg(long)]
    pub signals_only: bool,
    /// Also count the matches per day or week (a trend).
    #[arg(long, value_enum)]
    pub histogram: Option<IntervalArg>,
    /// Search the words as written: no concept expansion.
    #[arg(long)]
    pub literal: bool,
    /// One hit per document instead of one per story (reposts listed separately).
    #[arg(long)]
    pub all_copies: bool,
    /// Documents like the one with this id ("more like this"; its own story left out).
    #[arg(long, value_name = "DOC_ID")]
    pub like: Option<String>,
    /// Write every matching document (not one page) to FILE, as CSV or XLSX by its extension.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Print {"total", "stories", "hits", "facets", "expansions", …} as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

pub fn run(a: SearchArgs) -> Result<ExitCode> {
    let format = match &a.export {
        None => None,
        Some(path) => match ExportFormat::for_path(path) {
            Some(f) => Some(f),
            None => bail!(
                "--export {}: the file name must end in .csv or .xlsx",
                path.display()
            ),
        },
    };
    // Snippets are folded, which builds the script converter: on the second core, meanwhile.
    // (A thread that cannot start is no loss: the first fold builds it.)
    let _ = std::thread::Builder::new()
        .name("fold-prepare".into())
        .spawn(jiance::analyze::prepare_fold);
    let (index, integrity) = open_index(&a.data.data, &a.rules)?;
    let req = SearchRequest {
        query: a.query,
        category: a.category,
        hazard: a.hazard,
        region: a.region,
        kind: a.kind,
        source: a.source,
        since: a.since,
        until: a.until,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        limit: a.limit,
        offset: a.offset,
        signals_only: a.signals_only,
        histogram: a.histogram.map(|h| match h {
            IntervalArg::Day => Interval::Day,
            IntervalArg::Week => Interval::Week,
        }),
        literal: a.literal,
        collapse: !a.all_copies,
        like: a.like,
    };
    if let (Some(path), Some(format)) = (&a.export, format) {
        // an export is written as the query runs: nothing from an unconfirmed tokenizer
        integrity.confirm().map_err(anyhow::Error::msg)?;
        let summary = match format {
            ExportFormat::Csv => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("{}: cannot create", path.display()))?;
                index
                    .export_csv(&req, std::io::BufWriter::new(file))
                    .with_context(|| format!("{}: export failed", path.display()))?
            }
            ExportFormat::Xlsx => index
                .export_xlsx(&req, path)
                .with_context(|| format!("{}: export failed", path.display()))?,
        };
        if a.json {
            println!("{}", serde_json::to_string_pretty(&summary)?);
        } else if summary.rows < summary.total {
            eprintln!(
                "{}: {} of {} matching documents written (the export's limit)",
                path.display(),
                summary.rows,
                summary.total
            );
        } else {
            eprintln!("{}: {} documents written", path.display(), summary.rows);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let results = index.search(&req).context("search failed")?;
    integrity.confirm().map_err(anyhow::Error::msg)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        output::print_search(&results);
    }
    Ok(ExitCode::SUCCESS)
}
