//! Command definitions (clap), their dispatch by group, and the glue every group shares
//! (opening a data directory, reading a config). The groups' own commands are in `service`
//! (pipeline and serving), `stored` (reading a data directory) and the per-command files.

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
mod service;
mod stored;
mod watch;
mod worker;

#[cfg(test)]
mod deploy_units;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiance::config::Config;
use jiance::pipeline::{self, DataDir, Engine, RuleDirs};

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

/// Run the command: each group of commands has a dispatch of its own.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        command @ (Command::Demo { .. }
        | Command::Run { .. }
        | Command::Worker { .. }
        | Command::Reindex { .. }
        | Command::Serve { .. }
        | Command::Fetch { .. }) => service::run(command).await,
        command @ (Command::Search(_)
        | Command::Alerts { .. }
        | Command::Onsale { .. }
        | Command::Rerun(_)
        | Command::DiffAlerts(_)
        | Command::Status { .. }
        | Command::Report { .. }) => stored::run(command),
        command @ (Command::Check { .. }
        | Command::Extract { .. }
        | Command::Score { .. }
        | Command::InspectResult { .. }) => analysis(command),
        command @ (Command::Users(_)
        | Command::Labels(_)
        | Command::Cases { .. }
        | Command::Parties { .. }
        | Command::Watch { .. }) => review_command(command),
    }
}

/// The commands of the rules and the scores: `check`, `extract`, `score`, `inspect-result`.
fn analysis(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check {
            labels: Some(data),
            rules,
            ..
        } => review::check_labels(&data, &rules.dirs()),
        Command::Check { paths, rules, .. } => check::run(&paths, &rules.dirs()),
        Command::Extract {
            rules,
            cluster_window,
        } => extract::run(&rules.dirs(), cluster_window),
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
        other => unreachable!("not a rules or scoring command: {other:?}"),
    }
}

/// The commands of review: `users`, `labels`, `cases`, `parties`, `watch`.
fn review_command(command: Command) -> Result<ExitCode> {
    match command {
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
        Command::Watch { command } => watch::run(command),
        other => unreachable!("not a review command: {other:?}"),
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

/// Read a service config, printing each error with its file and line.
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
