//! `jiance worker` and the worker roles `jiance run` starts in its own process when the config
//! says `[queue] kind = "nats"`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use jiance::analyze::Analyzer;
use jiance::config::{Config, QueueKind};
use jiance::crawl::archive::ArchiveWriter;
use jiance::pipeline::distributed::{self, Roles};
use jiance::pipeline::{DataDir, Engine, RuleDirs};
use jiance::queue::Nats;
use jiance::serve::Access;
use jiance::telemetry::Counters;
use tokio::task::JoinHandle;

/// Worker roles running in this process.
pub struct Running {
    stop: Arc<AtomicBool>,
    tasks: Vec<(&'static str, JoinHandle<Result<()>>)>,
}

impl Running {
    /// Ask every role to stop after what it holds, and wait for them.
    pub async fn stop(self) -> Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        for (role, t) in self.tasks {
            match t.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e.context(format!("{role} worker"))),
                Err(e) => bail!("{role} worker: {e}"),
            }
        }
        Ok(())
    }

    /// Wait until a role's task ends by itself — none should before [`Running::stop`] — and say
    /// which and how. A process whose only role had died went on waiting for Ctrl-C, alive to
    /// its supervisor and doing nothing; now it can stop and exit with the role's error.
    pub async fn ended(&mut self) -> (&'static str, Result<()>) {
        if self.tasks.is_empty() {
            return std::future::pending().await;
        }
        let (out, i, _) =
            futures::future::select_all(self.tasks.iter_mut().map(|(_, task)| task)).await;
        let (role, _) = self.tasks.remove(i);
        let out = match out {
            Ok(Ok(())) => Err(anyhow::anyhow!("ended before it was told to stop")),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        (role, out)
    }
}

/// Connect to the config's NATS server (refusing a config without one).
pub async fn connect(cfg: &Config, config_path: &Path) -> Result<Nats> {
    if cfg.queue.kind != QueueKind::Nats {
        bail!(
            "{}: workers need [queue] kind = \"nats\" (with url = \"nats://host:4222\"); the in-process \
             default runs everything in `jiance run`",
            config_path.display()
        );
    }
    Nats::connect(&cfg.queue)
        .await
        .with_context(|| format!("{}: [queue]", config_path.display()))
}

/// Start `roles`: fetch workers archive into `data`'s archive folder; the sink writes `engine`'s
/// index and store (required with the sink role); analyze workers use `engine`'s analyzer when
/// there is one, else load the config's rules.
pub fn start(
    cfg: &Config,
    roles: Roles,
    data: &Path,
    nats: &Nats,
    engine: Option<&Arc<Engine>>,
    counters: Arc<Counters>,
    analyze_threads: usize,
) -> Result<Running> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks: Vec<(&'static str, JoinHandle<Result<()>>)> = Vec::new();
    if roles.fetch {
        let dir = DataDir::new(data).archive();
        let archive = ArchiveWriter::open(&dir, cfg.crawl.archive_rotate_bytes)
            .with_context(|| format!("archive {}", dir.display()))?;
        let (nats, settings, sources, counters, stop) = (
            nats.clone(),
            cfg.crawl.clone(),
            cfg.sources.clone(),
            counters.clone(),
            stop.clone(),
        );
        tasks.push((
            "fetch",
            tokio::spawn(async move {
                distributed::fetch_worker(nats, &settings, &sources, archive, counters, stop)
                    .await
                    .map_err(Into::into)
            }),
        ));
    }
    if roles.analyze {
        let analyzer = match engine {
            Some(e) => e.analyzer.clone(),
            None => Arc::new(
                Analyzer::load(cfg.rules_dir.as_deref(), cfg.dictionaries_dir.as_deref()).map_err(
                    |errors| {
                        anyhow::anyhow!(
                            "{}",
                            errors
                                .iter()
                                .map(|e| e.to_string())
                                .collect::<Vec<_>>()
                                .join("\n")
                        )
                    },
                )?,
            ),
        };
        let work = distributed::page_work(analyzer, counters.clone());
        let (nats, sources, counters, stop) = (
            nats.clone(),
            cfg.sources.clone(),
            counters.clone(),
            stop.clone(),
        );
        tasks.push((
            "analyze",
            tokio::spawn(async move {
                distributed::analyze_worker(nats, &sources, work, analyze_threads, counters, stop)
                    .await
                    .map_err(Into::into)
            }),
        ));
    }
    if roles.sink {
        let Some(engine) = engine.cloned() else {
            bail!("the sink role needs the data directory's index and store");
        };
        let (nats, stop, commit_every) = (nats.clone(), stop.clone(), cfg.crawl.commit_every);
        let rt = tokio::runtime::Handle::current();
        tasks.push((
            "sink",
            tokio::task::spawn_blocking(move || {
                distributed::sink_worker(
                    &nats,
                    &rt,
                    &engine.index,
                    &engine.store,
                    &engine.counters,
                    commit_every,
                    &stop,
                )
                .map(|_| ())
                .map_err(Into::into)
            }),
        ));
    }
    Ok(Running { stop, tasks })
}

/// `jiance worker`: run `roles` until Ctrl-C or SIGTERM.
pub async fn run(
    config_path: &Path,
    roles: &str,
    data: Option<&Path>,
    metrics: Option<&str>,
    threads: Option<usize>,
) -> Result<()> {
    let roles = Roles::parse(roles).map_err(anyhow::Error::msg)?;
    let cfg = super::load_config(config_path)?;
    let nats = connect(&cfg, config_path).await?;
    let data = data.unwrap_or(&cfg.data_dir).to_path_buf();
    let engine = if roles.sink {
        let rules = RuleDirs {
            rules: cfg.rules_dir.clone(),
            dictionaries: cfg.dictionaries_dir.clone(),
        };
        Some(Arc::new(Engine::open(
            DataDir::new(&data),
            &rules,
            cfg.crawl.clone(),
        )?))
    } else {
        None
    };
    let counters = engine
        .as_ref()
        .map_or_else(|| Arc::new(Counters::default()), |e| e.counters.clone());
    let metrics_server = match metrics {
        Some(addr) => Some(serve_metrics(addr, counters.clone()).await?),
        None => None,
    };
    // A worker process has its machine to itself: every core, unless told otherwise.
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let mut running = start(
        &cfg,
        roles,
        &data,
        &nats,
        engine.as_ref(),
        counters,
        threads,
    )?;
    eprintln!(
        "worker {:?} on {} (prefix {}): Ctrl-C or SIGTERM stops it",
        roles, cfg.queue.url, cfg.queue.prefix
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("SIGTERM handler")?;
    let died = tokio::select! {
        r = tokio::signal::ctrl_c() => {
            r.context("waiting for Ctrl-C")?;
            None
        }
        _ = term.recv() => None,
        (role, out) = running.ended() => Some((role, out)),
    };
    eprintln!("stopping…");
    let stopped = running.stop().await;
    if let Some((role, out)) = died {
        if let Some(m) = metrics_server {
            m.abort();
        }
        return out.with_context(|| format!("the {role} worker stopped by itself"));
    }
    if let Some(m) = metrics_server {
        m.abort();
    }
    stopped
}

/// Serve `/metrics` of this worker's counters on `addr` until the worker stops.
async fn serve_metrics(addr: &str, counters: Arc<Counters>) -> Result<JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("--metrics {addr}: cannot listen"))?;
    let mut access = Access::new(vec![], vec![], false).with_env();
    if !access.readable() {
        // No tokens set: the counters are open, as a node exporter's are; bind to a private
        // address (or set a token) where that matters.
        access = access.open_reads(true);
    }
    let router = jiance::serve::metrics_router(counters, access);
    if let Ok(a) = listener.local_addr() {
        eprintln!("metrics on http://{a}/metrics");
    }
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("worker metrics server stopped: {e}");
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_role_that_dies_is_reported_and_the_others_stop() {
        let stop = Arc::new(AtomicBool::new(false));
        let waits = stop.clone();
        let mut running = Running {
            stop,
            tasks: vec![
                (
                    "sink",
                    tokio::spawn(async move {
                        while !waits.load(Ordering::Relaxed) {
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        }
                        Ok(())
                    }),
                ),
                ("fetch", tokio::spawn(async { bail!("crawler: no client") })),
            ],
        };
        let (role, out) = running.ended().await;
        assert_eq!(role, "fetch");
        assert!(format!("{:#}", out.unwrap_err()).contains("no client"));
        // the one left still runs, and stops when told
        assert_eq!(running.tasks.len(), 1);
        running.stop().await.unwrap();
    }
}
