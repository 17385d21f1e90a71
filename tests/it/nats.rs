//! The NATS JetStream transport (issue 19): a real `nats-server -js` on a loopback port with a
//! temporary store. 2 fetch, 2 analyze and 1 sink worker processes crawl the simulated sites while
//! one fetch and one analyze worker are killed with SIGKILL mid-crawl and restarted, and then the
//! sink, the one writer, again and again (issue 45): right after a commit (before its
//! acknowledgements) and at random points of its work. What the data directory holds must equal
//! the in-process run's — nothing lost, nothing counted twice — and the coordinator's summary
//! counts the pass's pages from the workers' tallies. And a page whose work panics every time
//! ends as a counted poison message while the rest completes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jiance::demo::DemoSites;
use jiance::store::Store;
use rand::{Rng, SeedableRng};

use crate::crash::held;

/// A NATS server with JetStream, killed when dropped.
pub(crate) struct NatsServer {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    /// Queue settings for this server, under their own `prefix`.
    pub(crate) fn queue(&self, prefix: &str) -> jiance::config::QueueSettings {
        jiance::config::QueueSettings {
            kind: jiance::config::QueueKind::Nats,
            url: self.url.clone(),
            prefix: prefix.into(),
            ..Default::default()
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A nats-server on a port it picks itself (`-p -1`), read back from its ports file. Picking a
/// free port first and passing it raced with the other tests' servers and sites: when another
/// listener took the port before nats-server bound it, the server exited unseen and the test
/// talked to whatever held the port (a regression: "no progress: 0 stored" in CI).
pub(crate) fn nats_server() -> NatsServer {
    let dir = tempfile::tempdir().unwrap();
    let ports = dir.path().join("ports");
    std::fs::create_dir_all(&ports).unwrap();
    let mut child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"])
        .arg(dir.path().join("store"))
        .arg("--ports_file_dir")
        .arg(&ports)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server is installed by ./test.sh (Debian package nats-server)");
    let file = ports.join(format!("nats-server_{}.ports", child.id()));
    let give_up = Instant::now() + Duration::from_secs(20);
    let url = loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "nats-server exited on start"
        );
        let listed = std::fs::read_to_string(&file)
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["nats"][0].as_str().map(str::to_string));
        if let Some(url) = listed {
            break url;
        }
        assert!(Instant::now() < give_up, "nats-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    NatsServer {
        child,
        url,
        _dir: dir,
    }
}

fn nats_config(root: &Path, name: &str, url: &str) -> PathBuf {
    let path = root.join(format!("{name}.toml"));
    // A message may be held by every sink the crash test kills (a sink pulls more than it
    // commits before it dies), and each holding is a delivery: with fewer deliveries allowed
    // than kills, good results end as poison (seen: 206 poisoned, 4 documents lost with 5).
    // Nothing can be promised lost-free under more crashes than deliveries allowed.
    let max_deliver = SINK_KILLS + 2;
    std::fs::write(
        &path,
        format!(
            "data_dir = \"{name}\"\nsource_files = [\"sources.toml\"]\n[crawl]\ncommit_every = 40\n\
             [queue]\nkind = \"nats\"\nurl = \"{url}\"\nprefix = \"{name}\"\nack_wait = \"3s\"\nmax_deliver = {max_deliver}\n"
        ),
    )
    .unwrap();
    path
}

fn jiance(args: &[&str], config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiance"));
    c.args(args)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    c
}

/// A worker of `role` on `data`; what it logs (warnings, and each crawl job it takes) goes to
/// `<data>.log`, appended across restarts, for [`worker_logs`] to show when the test fails.
fn worker(config: &Path, role: &str, data: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data.with_extension("log"))
        .unwrap();
    jiance(&["worker", "--role", role], config)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn,jiance::pipeline::distributed=info")
        .stderr(log)
        .spawn()
        .unwrap()
}

/// The last lines of every worker's log under `root`.
fn worker_logs(root: &Path) -> String {
    let mut out = String::new();
    let mut logs: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log") && !p.ends_with("coordinator.log"))
        .collect();
    logs.sort();
    for p in logs {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        out.push_str(&format!("--- {}\n", p.display()));
        for l in &lines[lines.len().saturating_sub(15)..] {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// Times the sink is killed in the kill test.
const SINK_KILLS: usize = 8;

/// The page count of `jiance run --once`'s summary line ("N pages, M documents, …").
fn summary_pages(log: &str) -> u64 {
    log.lines()
        .rev()
        .find_map(|l| {
            let (n, rest) = l.split_once(' ')?;
            rest.starts_with("pages, ")
                .then(|| n.parse().ok())
                .flatten()
        })
        .unwrap_or_else(|| panic!("no summary line in:\n{log}"))
}

/// Pages the sources' pass tallies in a data directory count (responses, 304s included).
fn tallied_pages(data: &Path) -> u64 {
    Store::open(&data.join("state.sqlite"))
        .unwrap()
        .source_health()
        .unwrap()
        .iter()
        .map(|h| h.fetched + h.not_modified)
        .sum()
}

struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn workers_killed_mid_crawl_lose_nothing_and_count_nothing_twice() {
    let rt = runtime();
    let end = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let scenario = Arc::new(jiance::demo::scenario(2026, end));
    let sites = rt.block_on(DemoSites::start(scenario)).unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("sources.toml"),
        jiance::demo::sources_text(sites.base_urls()),
    )
    .unwrap();
    let server = nats_server();

    // the in-process reference
    let reference = root.path().join("reference.toml");
    std::fs::write(
        &reference,
        "data_dir = \"reference\"\nsource_files = [\"sources.toml\"]\n",
    )
    .unwrap();
    let run = jiance(&["run", "--once"], &reference).output().unwrap();
    let log = crate::text(&run.stderr);
    assert!(run.status.success(), "{log}");
    let want = held(&root.path().join("reference"));
    assert!(want.documents.len() >= 400, "{}", want.documents.len());
    // the in-process summary counts what the tallies count: the same measure as below
    let reference_pages = summary_pages(&log);
    assert_eq!(
        reference_pages,
        tallied_pages(&root.path().join("reference"))
    );

    let config = nats_config(root.path(), "spread", &server.url);
    let data = root.path().join("spread");
    let dir = |n: &str| root.path().join(n);
    let mut workers = Workers(vec![
        worker(&config, "sink", &data),
        worker(&config, "fetch", &dir("fetch-1")),
        worker(&config, "fetch", &dir("fetch-2")),
        worker(&config, "analyze", &dir("analyze-1")),
        worker(&config, "analyze", &dir("analyze-2")),
    ]);
    // the coordinator: publishes the pass, waits for it, scores
    // (held in a guard too, so that a failing assertion does not leave it running)
    let coordinator_log = root.path().join("coordinator.log");
    let mut coordinator = Workers(vec![
        jiance(&["run", "--once", "--roles", "none"], &config)
            .env("RUST_LOG", "info")
            .stderr(std::fs::File::create(&coordinator_log).unwrap())
            .spawn()
            .unwrap(),
    ]);
    // One store, opened once the sink has made it, and the last error kept: reopening it every
    // poll (schema statements and all) contended with the sink's writes, and a failed open was
    // counted as nothing stored, so a poller shut out looked like a crawl making no progress.
    let mut poller: Option<Store> = None;
    let mut stored = || -> Result<u64, String> {
        if poller.is_none() {
            if !data.join("state.sqlite").exists() {
                return Ok(0);
            }
            poller = Some(Store::open(&data.join("state.sqlite")).map_err(|e| e.to_string())?);
        }
        poller
            .as_ref()
            .map_or(Ok(0), |s| s.document_count().map_err(|e| e.to_string()))
    };
    let total = want.documents.len() as u64;
    let give_up = Instant::now() + Duration::from_secs(300);
    let mut last_error = String::new();
    loop {
        let n = stored().unwrap_or_else(|e| {
            last_error = e;
            0
        });
        if n >= total / 4 {
            break;
        }
        assert!(
            Instant::now() < give_up,
            "no progress: {n} stored (last store error: {last_error:?}); the coordinator said:\n{}\nthe workers said:\n{}",
            std::fs::read_to_string(&coordinator_log).unwrap_or_default(),
            worker_logs(root.path())
        );
        assert!(
            coordinator.0[0].try_wait().unwrap().is_none(),
            "ended early"
        );
        for (i, w) in workers.0.iter_mut().enumerate() {
            assert!(
                w.try_wait().unwrap().is_none(),
                "worker {i} exited; the workers said:\n{}",
                worker_logs(root.path())
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let at_kill = stored().unwrap();
    assert!(at_kill < total, "the kill falls inside the crawl");
    // SIGKILL one fetch and one analyze worker, and start them again on their directories
    for (i, role, d) in [(1, "fetch", "fetch-1"), (3, "analyze", "analyze-1")] {
        workers.0[i].kill().unwrap();
        workers.0[i].wait().unwrap();
        workers.0[i] = worker(&config, role, &dir(d));
    }
    // SIGKILL the sink, the one writer of index and store, and start it again: every other
    // time as soon as a commit of its shows in the store (its acknowledgements may not be sent:
    // the messages come again and must not be counted twice), else at a random point of its
    // work (inside a commit, a batch, its start-up). Each new sink commits before the next kill,
    // so a message is not held by sink after sink until it counts as poison.
    let mut rng = rand::rngs::StdRng::seed_from_u64(45);
    let mut sink_kills = 0;
    for k in 0..SINK_KILLS {
        let before = stored().unwrap_or(0);
        let delay = Duration::from_millis(rng.random_range(100..1500));
        let since = Instant::now();
        loop {
            let n = stored().unwrap_or(before);
            let after_commit = k % 2 == 0 && n > before;
            let by_time = k % 2 == 1 && n > before && since.elapsed() >= delay;
            if after_commit || by_time || n >= total {
                break;
            }
            assert!(
                Instant::now() < give_up,
                "the sink made no progress: {n} stored"
            );
            assert!(
                workers.0[0].try_wait().unwrap().is_none(),
                "the sink exited; the workers said:\n{}",
                worker_logs(root.path())
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        if stored().unwrap_or(0) >= total {
            break;
        }
        workers.0[0].kill().unwrap();
        workers.0[0].wait().unwrap();
        sink_kills += 1;
        workers.0[0] = worker(&config, "sink", &data);
    }
    assert!(
        sink_kills >= SINK_KILLS / 2,
        "most sink kills must land inside the pass ({sink_kills} of {SINK_KILLS} did)"
    );
    loop {
        if let Some(status) = coordinator.0[0].try_wait().unwrap() {
            assert!(status.success(), "coordinator: {status}");
            break;
        }
        assert!(
            Instant::now() < give_up,
            "the pass did not finish: {:?} stored; the coordinator said:\n{}\nthe workers said:\n{}",
            stored(),
            std::fs::read_to_string(&coordinator_log).unwrap_or_default(),
            worker_logs(root.path())
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(workers);
    // the coordinator counts the pages its workers fetched (it said "0 pages")
    let log = std::fs::read_to_string(&coordinator_log).unwrap();
    let pages = summary_pages(&log);
    assert!(pages > 0, "{log}");
    assert_eq!(pages, tallied_pages(&data), "{log}");
    eprintln!(
        "sink killed {sink_kills} times; {pages} pages tallied (in-process: {reference_pages})"
    );
    let got = held(&data);
    // a missing document is either poison (delivered max_deliver times) or lost: say which
    let poison = Store::open(&data.join("state.sqlite"))
        .map_err(|e| e.to_string())
        .and_then(|s| jiance::pipeline::distributed::poison_counts(&s).map_err(|e| e.to_string()));
    assert_eq!(
        got.documents.len(),
        want.documents.len(),
        "documents (poison by stage and reason: {poison:?})"
    );
    assert_eq!(got.index_documents, want.index_documents, "index");
    assert_eq!(got.signals, want.signals, "signals");
    assert_eq!(got.alerts, want.alerts, "alerts");
    assert_eq!(got, want);
    rt.block_on(sites.shutdown());
}

/// A page whose work panics on every delivery: after `max_deliver` it is terminated and counted
/// as poison (in the store, which `jiance status` reads, and the sink's counters), and the pages
/// around it are stored.
#[test]
fn a_page_that_panics_every_time_ends_as_counted_poison() {
    use jiance::config::{QueueSettings, SourceConfig};
    use jiance::model::{Fetched, PageRole};
    use jiance::pipeline::distributed::{self, ToAnalyze};
    use jiance::queue::{Nats, Stage};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let server = nats_server();
    let rt = runtime();
    let settings = QueueSettings {
        ack_wait: Duration::from_secs(3),
        max_deliver: 3,
        ..server.queue("poison")
    };
    let nats = rt.block_on(Nats::connect(&settings)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(
        jiance::pipeline::Engine::open(
            jiance::pipeline::DataDir::new(dir.path()),
            &jiance::pipeline::RuleDirs::default(),
            Default::default(),
        )
        .unwrap(),
    );
    let source = SourceConfig::for_page("media", "127.0.0.1");
    let page = |n: u32| {
        Fetched::page(
            "media",
            &format!("http://127.0.0.1:9/news/{n}.html"),
            PageRole::Detail,
            format!(
                "<html><body><article><h1>电动自行车充电器起火第{n}起</h1><p>消费者反映，网购的电动自行车充电器\
                 夜间充电时冒烟起火，烧毁了楼道里的杂物，已向市场监管部门投诉，要求召回同批次产品。</p>\
                 <p>商家称正在调查。</p></article></body></html>"
            )
            .into_bytes(),
        )
        .with_content_type("text/html; charset=utf-8")
    };
    for n in 1..=3 {
        let p = page(n);
        rt.block_on(nats.publish(
            nats.subject(Stage::Fetched, None),
            &format!("page-{n}"),
            &ToAnalyze::Page(p),
        ))
        .unwrap();
    }
    let attempts = Arc::new(AtomicUsize::new(0));
    let good = distributed::page_work(engine.analyzer.clone(), engine.counters.clone());
    let work: Arc<distributed::PageWork> = {
        let attempts = attempts.clone();
        Arc::new(move |f: &Fetched, s: &SourceConfig| {
            if f.url.ends_with("/2.html") {
                attempts.fetch_add(1, Ordering::Relaxed);
                panic!("a page that breaks the worker");
            }
            good(f, s)
        })
    };
    let stop = Arc::new(AtomicBool::new(false));
    let analyze = {
        let (nats, counters, stop) = (nats.clone(), engine.counters.clone(), stop.clone());
        rt.spawn(async move {
            distributed::analyze_worker(nats, &[source], work, 2, counters, stop).await
        })
    };
    let sink = {
        let (nats, engine, stop) = (nats.clone(), engine.clone(), stop.clone());
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            distributed::sink_worker(
                &nats,
                &handle,
                &engine.index,
                &engine.store,
                &engine.counters,
                10,
                &stop,
            )
        })
    };
    let drained = rt.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(60),
            distributed::wait_drained(&nats, Duration::from_millis(200)),
        )
        .await
    });
    if drained.is_err() {
        if sink.is_finished() {
            panic!("sink ended: {:?}", sink.join().unwrap().err());
        }
        panic!(
            "not drained: {:?}, {} worked, poison {:?}, {} stored",
            rt.block_on(nats.backlog()),
            attempts.load(Ordering::Relaxed),
            distributed::poison_counts(&engine.store).unwrap(),
            engine.store.document_count().unwrap()
        );
    }
    stop.store(true, Ordering::Relaxed);
    rt.block_on(analyze).unwrap().unwrap();
    sink.join().unwrap().unwrap();

    assert_eq!(
        attempts.load(Ordering::Relaxed),
        2,
        "worked on deliveries 1 and 2 of 3"
    );
    let poison = distributed::poison_counts(&engine.store).unwrap();
    assert_eq!(
        poison.into_iter().collect::<Vec<_>>(),
        vec![(("fetched".to_string(), "panic".to_string()), 1)]
    );
    assert_eq!(
        engine.counters.queue.rejected().get("poison-panic"),
        Some(&1)
    );
    assert_eq!(
        engine.store.document_count().unwrap(),
        2,
        "the others stored"
    );
}

/// The crawl state fetch workers share keeps the local store's rules: a page is seen only once
/// committed (`done`) with a 2xx status, or through the redirect it led to; a 304 keeps the
/// earlier status and validators; a failure never overwrites a success; parked URLs are listed
/// per source and leave when fetched.
#[test]
fn the_shared_crawl_state_keeps_the_local_stores_rules() {
    use jiance::crawl::CrawlState;
    use jiance::queue::{KvState, Nats, mark_processed};
    use jiance::store::PageRecord;

    let server = nats_server();
    let rt = runtime();
    let nats = rt.block_on(Nats::connect(&server.queue("state"))).unwrap();
    let state = KvState::new(nats.crawl_bucket().clone(), rt.handle().clone());
    let now = chrono::Utc::now();
    let rec = |url: &str, status: u16, etag: Option<&str>| PageRecord {
        url: url.into(),
        source: "s".into(),
        status,
        record_id: format!("r-{status}"),
        etag: etag.map(str::to_string),
        last_modified: None,
        fetched_at: Some(now),
    };
    let (a, b, c) = (
        "http://127.0.0.1:9/a",
        "http://127.0.0.1:9/b",
        "http://127.0.0.1:9/c",
    );
    state.record_page(&rec(a, 200, Some("\"v1\""))).unwrap();
    assert!(!state.page_seen(a).unwrap(), "fetched is not committed");
    rt.block_on(mark_processed(
        nats.crawl_bucket(),
        &[(a.to_string(), "s".to_string())],
    ))
    .unwrap();
    assert!(state.page_seen(a).unwrap());
    // a 304 keeps the status, record and validator; a 500 changes nothing of a success
    state.record_page(&rec(a, 304, None)).unwrap();
    state.record_page(&rec(a, 500, None)).unwrap();
    let kept = state.page(a).unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.record_id.as_str(), kept.etag.as_deref()),
        (200, "r-200", Some("\"v1\""))
    );
    // b redirected to a: seen through it
    state.record_alias(b, a).unwrap();
    assert!(state.page_seen(b).unwrap());
    // committed but answered 404: not seen
    state.record_page(&rec(c, 404, None)).unwrap();
    rt.block_on(mark_processed(
        nats.crawl_bucket(),
        &[(c.to_string(), "s".to_string())],
    ))
    .unwrap();
    assert!(!state.page_seen(c).unwrap());
    // parking
    let later = now + chrono::Duration::hours(1);
    state.park(c, "s", "http-500", now, later).unwrap();
    state.park(c, "s", "timeout", now, later).unwrap();
    assert_eq!(state.parked_attempts(c).unwrap(), 2);
    assert_eq!(state.parked_until(c, now).unwrap(), Some(later));
    let parked = state.parked("s").unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].reason, "timeout");
    assert!(state.parked("other").unwrap().is_empty());
    state.unpark(c).unwrap();
    assert!(state.parked("s").unwrap().is_empty());
    assert_eq!(state.parked_until(c, now).unwrap(), None);
    // flags
    state.set_meta("crawl.incomplete.s", "1").unwrap();
    assert_eq!(
        state.meta("crawl.incomplete.s").unwrap().as_deref(),
        Some("1")
    );
}

/// Workers started at the same moment (systemd units, the kill test's five processes) all declare
/// the streams, the key-value bucket and the object store, and every one of them comes up: a
/// regression of "subjects overlap with an existing stream" (for a stream, the bucket or the
/// object store), with which a worker that lost the race to create one exited. Before the fix,
/// 30 rounds of 16 simultaneous starts failed in each of three runs.
#[test]
fn workers_starting_at_once_all_come_up() {
    use jiance::queue::Nats;
    let rt = runtime();
    let server = nats_server();
    for round in 0..30 {
        let settings = server.queue(&format!("race{round}"));
        let results = rt.block_on(async {
            let starts: Vec<_> = (0..16)
                .map(|_| {
                    let settings = settings.clone();
                    tokio::spawn(async move { Nats::connect(&settings).await.map(|_| ()) })
                })
                .collect();
            let mut out = Vec::new();
            for s in starts {
                out.push(s.await.unwrap());
            }
            out
        });
        for (i, r) in results.iter().enumerate() {
            assert!(
                r.is_ok(),
                "round {round}, start {i}: {:?}",
                r.as_ref().err()
            );
        }
    }
}
