//! The commands that run the pipeline or serve: `demo`, `run`, `worker`, `serve`, `reindex` and
//! `fetch`, with the listener and the Ctrl-C handling they share.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use jiance::config::Config;
use jiance::pipeline::{self, DataDir, Engine, RuleDirs};
use jiance::serve::Access;

use super::{Command, DataArg, RuleArgs, fetch, load_config, open_existing, output, worker};

/// Run a command of this group ([`super::run`] sends only these here).
pub(super) async fn run(command: Command) -> Result<ExitCode> {
    match command {
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
        } => serve(&data, &listen, open_reads, &rules).await,
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
        other => unreachable!("not a pipeline command: {other:?}"),
    }
}

/// `jiance serve`: the dashboard and API of an existing data directory, until Ctrl-C.
async fn serve(
    data: &DataArg,
    listen: &str,
    open_reads: bool,
    rules: &RuleArgs,
) -> Result<ExitCode> {
    let engine = open_existing(&data.data, rules)?;
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
    serve_until_ctrl_c(&engine, listen, access).await?;
    Ok(ExitCode::SUCCESS)
}

/// `jiance reindex`: the index rebuilt from the archive.
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

/// `jiance demo`: the pipeline on simulated sites, its alerts printed, then the dashboard.
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

/// A listener on `listen`, or on a free port of its host when that one is in use.
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

/// Serve the dashboard and API of `engine` until Ctrl-C.
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

/// The watch-rule notifier over the engine's store, with its index for rule queries.
fn notifier(engine: &Engine, cfg: &Config) -> jiance::notify::Notifier {
    let texts: Arc<dyn jiance::notify::DocTexts> = engine.index.clone();
    jiance::notify::Notifier::new(engine.store.clone(), Some(texts), cfg.notify.clone())
}

/// `jiance run`: crawl on schedule, score, serve and run the config's jobs until Ctrl-C
/// (with `--once`: crawl every source once, score and exit).
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
