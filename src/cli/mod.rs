//! Command definitions (clap) and their glue to the library.

mod check;
mod diff_alerts;
mod evaluate;
mod extract;
mod fetch;
mod output;
mod report;
mod rerun;
mod review;
mod score;
mod search;
mod watch;
mod worker;

#[cfg(test)]
mod deploy_units;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiance::config::Config;
use jiance::pipeline::{self, DataDir, Engine, RuleDirs};
use jiance::serve::Access;

#[derive(Debug, Parser)]
#[command(
    name = "jiance",
    version,
    about = "监测 — find consumer-product quality-safety risks on the Chinese web early enough to act",
    long_about = "jiance collects risk information from complaint platforms, regulators' notices, e-commerce \
platforms, internet media and standards bodies; extracts product, hazard, region and party mentions; indexes \
everything for search; and scores signals per product category and region into ranked alerts (dismiss / notify / \
sample) with drafted online-sampling requests.\n\nStart with `jiance demo`: it crawls simulated sites on 127.0.0.1 \
and serves the dashboard.",
    after_long_help = "Cache: a command that tokenizes writes the tokenizer it builds (about 26 MB per rule set, \
the 4 newest kept) to $JIANCE_CACHE_DIR, else $XDG_CACHE_HOME/jiance, else ~/.cache/jiance, and later commands read \
it instead of building it again. JIANCE_CACHE_DIR=off turns the cache off; deleting the directory is always safe."
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args, Clone)]
pub struct RuleArgs {
    /// Rules directory (products.toml, hazards.toml, cues.toml, scoring.toml, market.toml,
    /// standards.toml, compliance.toml) [default: built in]
    #[arg(long, env = "JIANCE_RULES")]
    pub rules: Option<PathBuf>,
    /// Dictionaries directory (jieba user words, regions) [default: built in]
    #[arg(long, env = "JIANCE_DICTIONARIES")]
    pub dictionaries: Option<PathBuf>,
}

impl RuleArgs {
    fn dirs(&self) -> RuleDirs {
        RuleDirs {
            rules: self.rules.clone(),
            dictionaries: self.dictionaries.clone(),
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct DataArg {
    /// Data directory (archive/, index/, state.sqlite, signals/)
    #[arg(long, env = "JIANCE_DATA", default_value = "jiance-data")]
    pub data: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on simulated sites (127.0.0.1), print the ranked alerts, then serve
    /// the dashboard until Ctrl-C.
    Demo {
        /// Data directory [default: a fresh directory under the system temp dir, printed]
        #[arg(long)]
        data: Option<PathBuf>,
        /// Print the alerts as a JSON array instead of a table.
        #[arg(long)]
        json: bool,
        /// Exit after printing instead of serving.
        #[arg(long)]
        no_serve: bool,
        /// Address for the dashboard and API.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Scenario seed (the same seed gives the same texts).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Last day of the scenario, YYYY-MM-DD [default: today, Beijing time]
        #[arg(long)]
        end: Option<NaiveDate>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Run continuously on the sources a config file names: crawl on schedule, score, serve, and
    /// run the config's [[schedule]] jobs (crawl, rerun, report, prune, score) at their cron times.
    Run {
        /// Service config (see deploy/jiance.toml).
        #[arg(long)]
        config: PathBuf,
        /// Address for the dashboard and API [default: the config's serve.listen]
        #[arg(long)]
        listen: Option<String>,
        /// Crawl every source once, score, and exit (no serving).
        #[arg(long)]
        once: bool,
        /// With `[queue] kind = "nats"`: the worker roles this process runs beside scoring and
        /// serving — `all`, `none`, or a list of fetch, analyze, sink. Ignored in-process.
        #[arg(long, default_value = "all")]
        roles: String,
    },
    /// Run worker roles of the NATS transport (`[queue] kind = "nats"`) until Ctrl-C or SIGTERM:
    /// `fetch` crawls hosts' jobs, `analyze` parses and analyses pages, `sink` indexes and stores
    /// (one sink per deployment, on the node that serves). Start as many fetch and analyze
    /// workers as the load needs, on any machine that reaches the NATS server.
    Worker {
        /// Service config: its [queue], [crawl] and sources (the same file on every node).
        #[arg(long)]
        config: PathBuf,
        /// fetch, analyze, sink, or a comma-separated list.
        #[arg(long)]
        role: String,
        /// Data directory of this worker [default: the config's data_dir]: the fetch role
        /// archives into its archive/, the sink role writes its index and store.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Serve this worker's /metrics (fetch, analyze and queue counters) on this address,
        /// e.g. 0.0.0.0:9101. Reads need a JIANCE_TOKEN_VIEWER or JIANCE_TOKEN_OPERATOR token
        /// when either is set, else none.
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
        /// Pages the analyze role parses and analyses at once [default: one per core].
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
    },
    /// Serve the dashboard and API over an existing data directory. Tokens come from
    /// JIANCE_TOKEN_VIEWER and JIANCE_TOKEN_OPERATOR (comma-separated); reads need a token unless
    /// --open-reads; writes always need an operator token.
    Serve {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Let anyone read (dashboard, API GETs, feed, metrics) without a token.
        #[arg(long)]
        open_reads: bool,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Full-text search over everything collected: concept expansion, one hit per story,
    /// filters in the query (category:… hazard:… province:… kind:… since:…), export to CSV / XLSX.
    Search(search::SearchArgs),
    /// Rebuild the search index from the archive (after a schema, dictionary or rule change). Builds
    /// into index.new/ and swaps it in, so the old index stays usable until the new one is whole.
    /// Stop `jiance run` / `serve` on this data directory first.
    Reindex {
        #[command(flatten)]
        data: DataArg,
        /// Service config whose sources parse the archived pages [default: the demo sources]
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Replay a WARC archive (ours or any standard WARC) through today's parsing, rules and
    /// dictionaries into a fresh data directory, and score it: what the current rules would have
    /// caught. Deterministic: the same archive and rules give the same signals and alerts.
    Rerun(rerun::RerunArgs),
    /// Alerts added, dropped and re-levelled between two data directories (e.g. before and after
    /// a rule change), matched by alert id.
    DiffAlerts(diff_alerts::DiffAlertsArgs),
    /// The ranked alerts of a data directory.
    Alerts {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
    /// Listings still selling recalled or failed products, and listings breaking the rules (no
    /// CCC claim in a CCC category, an outdated standard or none, a banned product): the on-sale
    /// findings of the last scoring run, most certain first. Each is to be notified to its
    /// platform.
    Onsale {
        #[command(flatten)]
        data: DataArg,
        /// Only listings on this platform
        #[arg(long)]
        platform: Option<String>,
        /// Only shops in this province (广东 or 广东省) or place
        #[arg(long)]
        region: Option<String>,
        /// Only findings of this basis: recall, failed (matched products), ccc, standard, banned
        /// (rules broken)
        #[arg(long, value_parser = parse_basis)]
        basis: Option<jiance::model::FlagBasis>,
        /// Print JSON
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (the export for a platform or the local unit)
        #[arg(long)]
        csv: bool,
        /// Match again now with these rules (`--rules DIR`, else the built-in ones) before listing
        #[arg(long = "match")]
        rematch: bool,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Validate config, source and rule files (with file:line errors) and run every rule example.
    /// With no paths: the built-in rules, dictionaries and demo sources.
    Check {
        /// Config files, source files or rules directories.
        paths: Vec<PathBuf>,
        #[command(flatten)]
        rules: RuleArgs,
        /// Instead: replay every document analysts labelled in this data directory through the
        /// rules and list where they still disagree (exit 1 when any do): the rule authors' work list.
        #[arg(long, value_name = "DATA")]
        labels: Option<PathBuf>,
    },
    /// Named users and their tokens (roles viewer, analyst, operator) for the dashboard and API.
    #[command(subcommand)]
    Users(review::UsersCommand),
    /// Analysts' labels on documents.
    #[command(subcommand)]
    Labels(review::LabelsCommand),
    /// The cases of the last scoring run: one real-world problem across channels, with its
    /// evidence per channel, its alerts and its triage state.
    Cases {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
    /// Enterprises, brands and shops with their history in time order (failed inspections,
    /// recalls, complaints, alerts, on-sale findings, failed sampling), names written differently
    /// merged; repeat offenders (rules/parties.toml) first, each with the events that make it one.
    Parties {
        #[command(flatten)]
        data: DataArg,
        #[command(flatten)]
        rules: RuleArgs,
        /// Only repeat offenders
        #[arg(long)]
        repeat: bool,
        /// Only parties one of whose names holds this text
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Analyse JSON Lines from stdin ({"id", "text", "title"?, "kind"?, "published"?}); one JSON
    /// line of extraction per input on stdout; bad lines are reported on stderr by line number.
    Extract {
        #[command(flatten)]
        rules: RuleArgs,
        /// Near-duplicate clustering compares each line with the last N to 2×N lines before it,
        /// so memory stays bounded however long the input (0: compare with every earlier line,
        /// memory growing with the input).
        #[arg(long, value_name = "N", default_value_t = 25_000)]
        cluster_window: usize,
    },
    /// Fetch one page politely (robots.txt, rate limit, retries; archived) — or read a saved page
    /// from a file — and print as JSON what the crawler sees: status, charset (where it came
    /// from, what it overrode), title; with --source, the documents and links that source would
    /// take from it; without, the document generic article extraction makes of the page.
    Fetch {
        /// A URL, or a saved page's file (read from disk, nothing fetched)
        url: String,
        /// Parse the page as this source (from --config or the built-in demo sources).
        #[arg(long)]
        source: Option<String>,
        /// Service config whose crawl settings and sources to use.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Fetch as this role (list, feed, api, detail) [default: the source's start role for one
        /// of its start URLs, else detail]
        #[arg(long)]
        role: Option<String>,
        /// Keep the archived response here [default: a temporary directory, removed after]
        #[arg(long)]
        archive: Option<PathBuf>,
    },
    /// Signals, distinct clusters, weighted score (source × channel weight, clusters once) and
    /// alerts new / escalated per period and group, from signals/ and state.sqlite.
    Report {
        #[command(flatten)]
        data: DataArg,
        /// Group columns, comma-separated: category, hazard, province, city, source, source_kind.
        #[arg(long, default_value = "category,province")]
        by: String,
        /// Instead of the grouped report: the product nouns of unclassified (未归类) signals per
        /// period, with their signals, documents and clusters, most signals first.
        #[arg(long, conflicts_with = "by")]
        unclassified: bool,
        /// Instead of the grouped report: from the inspection records of notices, batches sampled
        /// and failed and the failure rate per period and category.
        #[arg(long, conflicts_with_all = ["by", "unclassified"])]
        inspections: bool,
        /// Instead of the grouped report: the key-product risk list of the quarter holding
        /// --until (default: the last signal's day), categories × hazards ranked by alerts and
        /// their level, severity, failure rate of the inspection records, complaints and trend,
        /// each with its evidence counts (--format csv, xlsx, html or table).
        #[arg(long, conflicts_with_all = ["by", "unclassified", "inspections", "from", "last"])]
        risk_list: bool,
        /// Period [default: week; the risk list is per quarter]
        #[arg(long, value_enum)]
        every: Option<EveryArg>,
        /// First day (YYYY-MM-DD, Beijing time).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD, Beijing time).
        #[arg(long)]
        until: Option<NaiveDate>,
        /// The last N complete periods before today (Beijing time), instead of --from/--until.
        #[arg(long, conflicts_with_all = ["from", "until"])]
        last: Option<u32>,
        #[arg(long, value_enum, default_value_t = ReportFormatArg::Table)]
        format: ReportFormatArg,
        /// Output file [default: stdout]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Rules directory whose scoring.toml gives the channel weights [default: built in]
        #[arg(long, env = "JIANCE_RULES")]
        rules: Option<PathBuf>,
    },
    /// Score a signal file (JSON Lines, Parquet, or a directory of day=*.parquet partitions):
    /// the alerts active at the end, or with --daily every alert change day by day; or, with
    /// --evaluate-sim, measure the scoring on simulated years against an oracle.
    Score {
        /// The signals: JSON Lines ({"time", "category", "hazard", "severity", "province",
        /// "city"?, "source", "source_kind", "cluster"?, "doc"?, "weight"?}) or Parquet.
        #[arg(long, required_unless_present = "evaluate_sim")]
        signals: Option<PathBuf>,
        /// Replay day by day and print every alert change with its day.
        #[arg(long)]
        daily: bool,
        /// JSON output (with --daily: one JSON object per line).
        #[arg(long)]
        json: bool,
        /// Score as of this day (YYYY-MM-DD) [default: the last day in the file]; with --daily,
        /// the last day replayed.
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// With --daily: the first day replayed [default: the first day with a full baseline].
        #[arg(long, requires = "daily")]
        from: Option<NaiveDate>,
        /// A source that was down, as PUBLISHER:FROM:TO (days inclusive, YYYY-MM-DD), or
        /// channel=CHANNEL:FROM:TO for every source of a channel; repeatable. Its rows of those
        /// days and the catch-up days after are left out and every cell's expectation is lowered
        /// by its share (scoring.toml [outage]); the breakdown says which days were discounted.
        #[arg(long = "outage", value_parser = score::parse_outage)]
        outages: Vec<jiance::score::Outage>,
        #[command(flatten)]
        sim: evaluate::SimArgs,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Record the inspection result of a batch bought for an alert's sampling request (or several,
    /// from a JSON file in the body format of POST /api/inspection-results). The next scoring run
    /// takes it into account: a failed batch raises the alert, an all-pass result lowers it.
    InspectResult {
        #[command(flatten)]
        data: DataArg,
        /// The alert (its sampling request).
        alert_id: Option<String>,
        /// The batch's label (sample number).
        #[arg(long)]
        batch: Option<String>,
        /// pass or fail.
        #[arg(long)]
        result: Option<String>,
        /// The shop, brand or enterprise the batch came from (not sampled again for a while).
        #[arg(long, default_value = "")]
        party: String,
        /// The test item that decided the result.
        #[arg(long, default_value = "")]
        item: String,
        #[arg(long, default_value = "")]
        note: String,
        /// Inspection day (YYYY-MM-DD) [default: today]
        #[arg(long)]
        on: Option<NaiveDate>,
        /// {"alert_id", "inspected_on"?, "results": [{"batch", "party"?, "item"?, "passed", "note"?}]}
        #[arg(long, conflicts_with_all = ["alert_id", "batch", "result"])]
        file: Option<PathBuf>,
    },
    /// Watch rules: users' watchlists (a brand, model, enterprise, search query, category in a
    /// province, minimum level) that `jiance run` turns into webhook and e-mail notifications.
    Watch {
        #[command(subcommand)]
        command: watch::WatchCommand,
    },
    /// Crawl health of a data directory: per source, last success (stale or not), pages
    /// fetched, 304s, failures by reason, bytes, parked pages; then the parked URLs.
    Status {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EveryArg {
    Day,
    /// ISO weeks, labelled by their Monday.
    Week,
    Month,
    /// Calendar quarters (the risk list only).
    Quarter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    Csv,
    Parquet,
    Table,
    /// An XLSX workbook (the risk list only; needs --out).
    Xlsx,
    /// A printable page (the risk list only).
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IntervalArg {
    Day,
    Week,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

pub fn init_logging(cli: &Cli) {
    let default = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo {
            data,
            json,
            no_serve,
            listen,
            seed,
            end,
            rules,
        } => demo(data, json, no_serve, &listen, seed, end, rules).await,
        Command::Run {
            config,
            listen,
            once,
            roles,
        } => run_service(&config, listen, once, &roles).await,
        Command::Worker {
            config,
            role,
            data,
            metrics,
            threads,
        } => {
            worker::run(
                &config,
                &role,
                data.as_deref(),
                metrics.as_deref(),
                threads.map(usize::from),
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex {
            data,
            config,
            rules,
        } => reindex(&data.data, config.as_deref(), &rules),
        Command::Serve {
            data,
            listen,
            open_reads,
            rules,
        } => {
            let engine = open_existing(&data.data, &rules)?;
            let access = Access::new(vec![], vec![], open_reads)
                .with_env()
                .with_users(engine.store.clone());
            if !access.readable() {
                bail!(
                    "no access tokens: add a user (jiance users add), set {} and/or {} (comma-separated), or pass --open-reads",
                    jiance::serve::auth::ENV_VIEWER,
                    jiance::serve::auth::ENV_OPERATOR
                );
            }
            serve_until_ctrl_c(&engine, &listen, access).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(args) => search::run(args),
        Command::Alerts { data, json } => {
            let store = open_store(&data.data)?;
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
        Command::Check {
            labels: Some(data),
            rules,
            ..
        } => review::check_labels(&data, &rules.dirs()),
        Command::Check { paths, rules, .. } => check::run(&paths, &rules.dirs()),
        Command::Users(cmd) => review::users(cmd),
        Command::Labels(cmd) => review::labels(cmd),
        Command::Cases { data, json } => review::cases(&data.data, json),
        Command::Parties {
            data,
            rules,
            repeat,
            name,
            json,
        } => review::parties(&data.data, &rules.dirs(), repeat, name.as_deref(), json),
        Command::Extract {
            rules,
            cluster_window,
        } => extract::run(&rules.dirs(), cluster_window),
        Command::Fetch {
            url,
            source,
            config,
            role,
            archive,
        } => {
            fetch::fetch(
                &url,
                source.as_deref(),
                config.as_deref(),
                role.as_deref(),
                archive,
            )
            .await
        }
        Command::Watch { command } => watch::run(command),
        Command::Status { data, json } => {
            // the index's document count needs no tokenizer: an empty one opens it faster
            let index_dir = jiance::pipeline::DataDir::new(&data.data).index();
            let index_documents = if index_dir.exists() {
                Some(
                    jiance::index::Index::open(
                        &index_dir,
                        std::sync::Arc::new(jieba_rs::Jieba::empty()),
                    )
                    .with_context(|| format!("{}: cannot open the index", index_dir.display()))?
                    .num_docs(),
                )
            } else {
                None
            };
            fetch::status(&open_store(&data.data)?, index_documents, json)
        }
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
            match every.unwrap_or(EveryArg::Week) {
                EveryArg::Day => jiance::config::Every::Day,
                EveryArg::Week => jiance::config::Every::Week,
                EveryArg::Month => jiance::config::Every::Month,
                EveryArg::Quarter => {
                    anyhow::bail!("--every quarter is for the risk list (--risk-list) only")
                }
            },
            (from, until, last),
            match format {
                ReportFormatArg::Csv => jiance::config::ReportFormat::Csv,
                ReportFormatArg::Parquet => jiance::config::ReportFormat::Parquet,
                ReportFormatArg::Table => jiance::config::ReportFormat::Table,
                ReportFormatArg::Xlsx | ReportFormatArg::Html => {
                    anyhow::bail!("--format xlsx and html are for the risk list (--risk-list) only")
                }
            },
            out,
            rules.as_deref(),
        ),
        Command::Score {
            signals,
            daily,
            json,
            as_of,
            from,
            outages,
            sim,
            rules,
        } => match signals {
            _ if sim.evaluate_sim => evaluate::run(&sim, json, &rules),
            Some(signals) => score::run(
                &signals,
                score::Days {
                    daily,
                    as_of,
                    from,
                    outages,
                },
                json,
                &rules,
            ),
            None => bail!("--signals is required"),
        },
        Command::InspectResult {
            data,
            alert_id,
            batch,
            result,
            party,
            item,
            note,
            on,
            file,
        } => score::inspect_result(&score::InspectArgs {
            data: &data.data,
            alert_id: alert_id.as_deref(),
            batch: batch.as_deref(),
            result: result.as_deref(),
            party: &party,
            item: &item,
            note: &note,
            on,
            file: file.as_deref(),
        }),
    }
}

fn parse_basis(s: &str) -> Result<jiance::model::FlagBasis, String> {
    jiance::model::FlagBasis::parse(s)
        .ok_or_else(|| format!("{s:?}: expected recall, failed, ccc, standard or banned"))
}

fn config_errors(e: Vec<jiance::config::ConfigError>) -> anyhow::Error {
    anyhow::anyhow!(
        e.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    )
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

fn open_store(data: &std::path::Path) -> Result<jiance::store::Store> {
    let dir = DataDir::new(data);
    if !dir.state().exists() {
        bail!(
            "{} has no state.sqlite: not a jiance data directory (run `jiance demo --data {}` to make one)",
            data.display(),
            data.display()
        );
    }
    Ok(jiance::store::Store::open(&dir.state())?)
}

fn reindex(
    data: &std::path::Path,
    config: Option<&std::path::Path>,
    rules: &RuleArgs,
) -> Result<ExitCode> {
    let dir = DataDir::new(data);
    if !dir.archive().is_dir() {
        bail!(
            "{} has no archive/ to rebuild the index from",
            data.display()
        );
    }
    let analyzer =
        jiance::analyze::Analyzer::load(rules.rules.as_deref(), rules.dictionaries.as_deref())
            .map_err(pipeline::PipelineError::Config)?;
    let sources = jiance::demo::sources_for_archive(&dir, config)?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} reindex {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let report = pipeline::reindex::reindex(&dir, &analyzer, &sources, &|r| {
        bar.set_message(format!(
            "{} responses read, {} documents indexed",
            r.responses, r.documents
        ));
    })?;
    bar.finish_and_clear();
    println!(
        "reindexed {}: {} responses, {} documents parsed, {} in the new index, {:.1}s",
        dir.index().display(),
        report.responses,
        report.documents,
        report.indexed,
        report.seconds
    );
    for (reason, n) in &report.failures {
        println!("  skipped {n:>6}  {reason}");
    }
    if !report.unknown_sources.is_empty() {
        let names: Vec<&str> = report.unknown_sources.iter().map(String::as_str).collect();
        println!(
            "  sources without a config (pass --config): {}",
            names.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn open_existing(data: &std::path::Path, rules: &RuleArgs) -> Result<Engine> {
    let dir = DataDir::new(data);
    if !dir.state().exists() || !dir.index().exists() {
        bail!(
            "{} is not a jiance data directory (no state.sqlite or index/); run `jiance demo --data {}` to make one",
            data.display(),
            data.display()
        );
    }
    Ok(Engine::open(dir, &rules.dirs(), Default::default())?)
}

/// The index of an existing data directory, for a search: only the tokenizer is loaded (the
/// analyzer's other tables, the scoring and market rules and the store are not needed), so a
/// search from the command line starts fast (issue 22).
///
/// The tokenizer may still be having its snapshot's checksum compared: confirm the returned
/// [`Integrity`](jiance::analyze::Integrity) before printing what the index answered.
pub(crate) fn open_index(
    data: &std::path::Path,
    rules: &RuleArgs,
) -> Result<(jiance::index::Index, jiance::analyze::Integrity)> {
    let dir = DataDir::new(data);
    if !dir.state().exists() || !dir.index().exists() {
        bail!(
            "{} is not a jiance data directory (no state.sqlite or index/); run `jiance demo --data {}` to make one",
            data.display(),
            data.display()
        );
    }
    let dirs = rules.dirs();
    let (jieba, vocabulary, integrity) =
        jiance::analyze::Analyzer::tokenizer(dirs.rules.as_deref(), dirs.dictionaries.as_deref())
            .map_err(pipeline::PipelineError::Config)?;
    let mut index = jiance::index::Index::open(&dir.index(), jieba)?;
    index.set_vocabulary(&vocabulary);
    Ok((index, integrity))
}

async fn demo(
    data: Option<PathBuf>,
    json: bool,
    no_serve: bool,
    listen: &str,
    seed: u64,
    end: Option<NaiveDate>,
    rules: RuleArgs,
) -> Result<ExitCode> {
    let opts = jiance::demo::run::DemoOptions {
        data,
        seed,
        end,
        rules: rules.dirs(),
    };
    let (engine, scenario) = jiance::demo::run::prepare(&opts)?;
    eprintln!("data directory: {}", engine.data.root.display());
    let progress = output::Progress::start(engine.counters.clone());
    let run = jiance::demo::run::crawl_and_score(engine, scenario).await;
    progress.finish();
    let run = run?;
    let r = &run.report;
    eprintln!(
        "crawled {} pages, {} documents, {} signals in {:.1} s{}",
        r.pages,
        r.documents,
        r.signals,
        r.seconds,
        if r.failures.is_empty() {
            String::new()
        } else {
            format!("; failures: {:?}", r.failures)
        }
    );
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&output::alerts_json(&run.summary.alerts))?
        );
    } else {
        output::print_alerts(&run.summary.alerts);
        eprintln!(
            "(as of {}, {} signals scored, {} elevated cells dismissed)",
            run.summary.as_of, run.summary.signals, run.summary.dismissed
        );
        eprintln!(
            "{} on-sale findings (recalled products still listed, rules broken): jiance onsale --data {}",
            run.summary.onsale,
            run.engine.data.root.display()
        );
        eprintln!(
            "try: jiance search 电动自行车 --data {}",
            run.engine.data.root.display()
        );
    }
    if !no_serve {
        // The demo is for looking around on this machine: reads are open. Writes (acknowledge,
        // inspection results) need the operator token, from the environment or made up here and
        // printed, so trying them out takes one copy and paste.
        let mut access = Access::new(vec![], vec![], true).with_env();
        if !access.writable() {
            let token = format!("demo-{:016x}", rand::random::<u64>());
            eprintln!("operator token (for acknowledging alerts and inspection results): {token}");
            access = access.with_operator(&token);
        }
        serve_until_ctrl_c(&run.engine, listen, access).await?;
    }
    run.sites.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn bind(listen: &str) -> Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let host = listen
                .rsplit_once(':')
                .map(|(h, _)| h)
                .unwrap_or("127.0.0.1");
            eprintln!("{listen} is in use; serving on a free port instead");
            Ok(
                tokio::net::TcpListener::bind((host.trim_matches(|c| c == '[' || c == ']'), 0))
                    .await?,
            )
        }
        Err(e) => Err(e).with_context(|| format!("cannot listen on {listen}")),
    }
}

async fn serve_until_ctrl_c(engine: &Engine, listen: &str, access: Access) -> Result<()> {
    let listener = bind(listen).await?;
    let addr = listener.local_addr()?;
    eprintln!(
        "dashboard: http://{addr}/   (Ctrl-C to stop; {})",
        access.describe()
    );
    jiance::serve::serve(listener, engine.app_state().with_access(access), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Read a service config, printing each error with its file and line.
/// The watch-rule notifier over the engine's store, with its index for rule queries.
fn notifier(engine: &Engine, cfg: &Config) -> jiance::notify::Notifier {
    let texts: Arc<dyn jiance::notify::DocTexts> = engine.index.clone();
    jiance::notify::Notifier::new(engine.store.clone(), Some(texts), cfg.notify.clone())
}

fn load_config(config_path: &std::path::Path) -> Result<Config> {
    match Config::load(config_path) {
        Ok(c) => Ok(c),
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            bail!("{} has {} error(s)", config_path.display(), errors.len());
        }
    }
}

async fn run_service(
    config_path: &std::path::Path,
    listen: Option<String>,
    once: bool,
    roles: &str,
) -> Result<ExitCode> {
    let cfg = load_config(config_path)?;
    let rules = RuleDirs {
        rules: cfg.rules_dir.clone(),
        dictionaries: cfg.dictionaries_dir.clone(),
    };
    let mut engine = Engine::open(DataDir::new(&cfg.data_dir), &rules, cfg.crawl.clone())?;
    let nats = match cfg.queue.kind {
        jiance::config::QueueKind::Memory => None,
        jiance::config::QueueKind::Nats => {
            let roles = pipeline::distributed::Roles::parse(roles).map_err(anyhow::Error::msg)?;
            let nats = worker::connect(&cfg, config_path).await?;
            engine = engine.with_queue(nats.clone());
            Some((nats, roles))
        }
    };
    let engine = Arc::new(engine);
    let workers = match &nats {
        Some((nats, roles)) => Some(worker::start(
            &cfg,
            *roles,
            &cfg.data_dir,
            nats,
            Some(&engine),
            engine.counters.clone(),
            pipeline::workers(),
        )?),
        None => None,
    };
    if once {
        let report = engine.crawl_once(&cfg.sources).await?;
        if let Some(w) = workers {
            w.stop().await?;
        }
        let summary = engine.score(jiance::model::china_day(chrono::Utc::now()))?;
        let notified = notifier(&engine, &cfg).pass(chrono::Utc::now()).await?;
        eprintln!(
            "{} pages, {} documents, {} signals, {} alerts, {} notifications sent ({} to retry, {} failed)",
            report.pages,
            report.documents,
            report.signals,
            summary.alerts.len(),
            notified.sent,
            notified.retried,
            notified.failed
        );
        return Ok(ExitCode::SUCCESS);
    }
    let access = Access::from_settings(&cfg.serve).with_users(engine.store.clone());
    if !access.readable() {
        bail!(
            "{}: no access tokens: add a user (jiance users add), set serve.viewer_tokens / serve.operator_tokens, {} / {}, or serve.open_reads = true",
            config_path.display(),
            jiance::serve::auth::ENV_VIEWER,
            jiance::serve::auth::ENV_OPERATOR
        );
    }
    let listener = bind(listen.as_deref().unwrap_or(&cfg.serve.listen)).await?;
    eprintln!(
        "dashboard: http://{}/ ({})",
        listener.local_addr()?,
        access.describe()
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = {
        let state = engine.app_state().with_access(access);
        let mut rx = stop_rx.clone();
        tokio::spawn(jiance::serve::serve(listener, state, async move {
            let _ = rx.changed().await;
        }))
    };
    let worker = {
        let scheduler = pipeline::schedule::Scheduler {
            engine: engine.clone(),
            sources: cfg.sources.clone(),
            jobs: cfg.schedules.clone(),
            score_every: cfg.score.interval,
            defaults: pipeline::schedule::JobDefaults {
                data_dir: cfg.data_dir.clone(),
                rules_dir: cfg.rules_dir.clone(),
                dictionaries_dir: cfg.dictionaries_dir.clone(),
            },
            exe: std::env::current_exe().context("cannot locate the jiance binary")?,
        };
        let notify_stop = stop_rx.clone();
        tokio::spawn(notifier(&engine, &cfg).run(notify_stop));
        tokio::spawn(async move { scheduler.run(stop_rx).await })
    };
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("stopping…");
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(30), server).await;
    match tokio::time::timeout(Duration::from_secs(60), worker).await {
        Ok(Ok(Err(e))) => return Err(e.into()),
        Ok(Err(e)) => bail!("worker task failed: {e}"),
        _ => {}
    }
    if let Some(w) = workers {
        w.stop().await?;
    }
    Ok(ExitCode::SUCCESS)
}
