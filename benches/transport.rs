//! The two transports end to end, below the crawler: the same fetched pages worked (parse,
//! analyse) and sunk (index, store, commit) in-process over bounded channels, and over NATS
//! JetStream with 1 and 2 analyze workers and one sink; and the bare per-message cost of the
//! transport (publish with acknowledgement, pull, acknowledge).
//!
//! Pages: the demo sites (src/demo) are crawled once over 127.0.0.1; their detail pages are
//! copied under new URLs (new document ids) up to `JIANCE_BENCH_PAGES` (default 4000). NATS:
//! Debian's `nats-server` on a loopback port with a temporary store (`./test.sh` installs it).
//! Figures printed: documents/s for each composition, each role alone (analyze on one thread,
//! the sink draining its stream), and µs per message of the transport.
//!
//! Run: `cargo bench --bench transport`.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jiance::config::{CrawlSettings, QueueKind, QueueSettings, SourceConfig};
use jiance::crawl::archive;
use jiance::model::{Fetched, PageRole};
use jiance::pipeline::distributed::{self, ToAnalyze, ToSink};
use jiance::pipeline::{DataDir, Engine, RuleDirs};
use jiance::queue::{Nats, Stage};

fn engine(dir: &std::path::Path) -> Arc<Engine> {
    Arc::new(
        Engine::open(
            DataDir::new(dir),
            &RuleDirs::default(),
            CrawlSettings::default(),
        )
        .expect("engine"),
    )
}

fn with_copy(url: &str, n: usize) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}copy={n}")
}

/// In-process: the live service's work pool and sink over bounded channels.
fn in_process(
    rt: &tokio::runtime::Runtime,
    pages: &[Fetched],
    sources: &[SourceConfig],
) -> (u64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let e = engine(dir.path());
    let by_name: HashMap<String, SourceConfig> = sources
        .iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    let (tx, rx) = tokio::sync::mpsc::channel::<Fetched>(jiance::pipeline::FETCHED_CAPACITY);
    let t = Instant::now();
    let stages = {
        let e = e.clone();
        rt.spawn_blocking(move || {
            jiance::pipeline::work_and_sink(
                rx,
                &by_name,
                &e.analyzer,
                &e.counters,
                &e.store,
                &e.index,
                e.settings.commit_every,
            )
        })
    };
    rt.block_on(async {
        for p in pages {
            tx.send(p.clone()).await.expect("send");
        }
    });
    drop(tx);
    rt.block_on(stages).expect("join").expect("work and sink");
    (
        e.store.document_count().expect("count"),
        t.elapsed().as_secs_f64(),
    )
}

fn settings(url: &str, prefix: &str) -> QueueSettings {
    QueueSettings {
        kind: QueueKind::Nats,
        url: url.to_string(),
        prefix: prefix.to_string(),
        ..QueueSettings::default()
    }
}

/// Over NATS: publish every page, `analyzers` analyze workers of one thread each and the sink,
/// until the streams are empty.
fn over_nats(
    rt: &tokio::runtime::Runtime,
    url: &str,
    prefix: &str,
    pages: &[Fetched],
    sources: &[SourceConfig],
    analyzers: usize,
) -> (u64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let e = engine(dir.path());
    let nats = rt
        .block_on(Nats::connect(&settings(url, prefix)))
        .expect("connect");
    let stop = Arc::new(AtomicBool::new(false));
    let t = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..analyzers {
        let (nats, sources, stop) = (nats.clone(), sources.to_vec(), stop.clone());
        let work = distributed::page_work(e.analyzer.clone(), e.counters.clone());
        let counters = e.counters.clone();
        workers.push(rt.spawn(async move {
            distributed::analyze_worker(nats, &sources, work, 1, counters, stop).await
        }));
    }
    let sink = {
        let (nats, e, stop) = (nats.clone(), e.clone(), stop.clone());
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            distributed::sink_worker(
                &nats,
                &handle,
                &e.index,
                &e.store,
                &e.counters,
                e.settings.commit_every,
                &stop,
            )
        })
    };
    rt.block_on(async {
        let subject = nats.subject(Stage::Fetched, None);
        for (i, p) in pages.iter().enumerate() {
            nats.publish(
                subject.clone(),
                &format!("p{i}"),
                &ToAnalyze::Page(p.clone()),
            )
            .await
            .expect("publish");
        }
        distributed::wait_drained(&nats, Duration::from_millis(50))
            .await
            .expect("drained");
    });
    let secs = t.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        rt.block_on(w).expect("join").expect("analyze worker");
    }
    sink.join().expect("join").expect("sink");
    (e.store.document_count().expect("count"), secs)
}

/// Each role alone: the pages analysed on one thread without any transport (the analyze role's
/// work per core), then their results published to the sink's stream and drained by the sink
/// alone (the sink role's rate). Returns (analyze documents/s per thread, sink documents/s).
fn roles_alone(
    rt: &tokio::runtime::Runtime,
    url: &str,
    pages: &[Fetched],
    sources: &[SourceConfig],
) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let e = engine(dir.path());
    let by_name: HashMap<&str, &SourceConfig> =
        sources.iter().map(|s| (s.name.as_str(), s)).collect();
    let work = distributed::page_work(e.analyzer.clone(), e.counters.clone());
    let t = Instant::now();
    let worked: Vec<ToSink> = pages
        .iter()
        .map(|p| {
            let w = work(p, by_name[p.source.as_str()]);
            ToSink::page(p.url.clone(), p.source.clone(), w)
        })
        .collect();
    let analyze_secs = t.elapsed().as_secs_f64();
    let docs: usize = worked
        .iter()
        .map(|w| match w {
            ToSink::Page { docs, .. } => docs.len(),
            _ => 0,
        })
        .sum();
    let nats = rt
        .block_on(Nats::connect(&settings(url, "sinkalone")))
        .expect("connect");
    rt.block_on(async {
        let subject = nats.subject(Stage::Worked, None);
        for (i, w) in worked.iter().enumerate() {
            nats.publish(subject.clone(), &format!("s{i}"), w)
                .await
                .expect("publish");
        }
    });
    let stop = Arc::new(AtomicBool::new(false));
    let t = Instant::now();
    let sink = {
        let (nats, e, stop) = (nats.clone(), e.clone(), stop.clone());
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            distributed::sink_worker(
                &nats,
                &handle,
                &e.index,
                &e.store,
                &e.counters,
                e.settings.commit_every,
                &stop,
            )
        })
    };
    rt.block_on(distributed::wait_drained(&nats, Duration::from_millis(20)))
        .expect("drained");
    let sink_secs = t.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    sink.join().expect("join").expect("sink");
    let stored = e.store.document_count().expect("count");
    if stored as usize != docs {
        eprintln!("note: {docs} documents analysed, {stored} stored (repeats merged by id)");
    }
    (docs as f64 / analyze_secs, docs as f64 / sink_secs)
}

/// The bare transport: `n` small messages published (each acknowledged by the server), pulled and
/// acknowledged. Returns µs per message for publishing and for consuming.
fn per_message(rt: &tokio::runtime::Runtime, url: &str, n: usize) -> (f64, f64) {
    let nats = rt
        .block_on(Nats::connect(&settings(url, "overhead")))
        .expect("connect");
    rt.block_on(async {
        let subject = nats.subject(Stage::Fetch, Some("bench"));
        let t = Instant::now();
        for i in 0..n {
            nats.publish(subject.clone(), &format!("m{i}"), &i)
                .await
                .expect("publish");
        }
        let publish = t.elapsed().as_secs_f64() * 1e6 / n as f64;
        let t = Instant::now();
        let mut done = 0;
        while done < n {
            let batch = nats
                .pull(Stage::Fetch, 64, Duration::from_secs(5))
                .await
                .expect("pull");
            assert!(!batch.is_empty(), "published messages never came back");
            for d in batch {
                let _: usize = nats.decode(&d).await.expect("decode");
                nats.ack(&d).await.expect("ack");
                done += 1;
            }
        }
        (publish, t.elapsed().as_secs_f64() * 1e6 / n as f64)
    })
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let want: usize = std::env::var("JIANCE_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let work = tempfile::tempdir().expect("temp dir");
    let end = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let crawl_dir = work.path().join("crawl");
    let sources = rt.block_on(async {
        let scenario = Arc::new(jiance::demo::scenario(2026, end));
        let sites = jiance::demo::DemoSites::start(scenario)
            .await
            .expect("demo sites");
        let sources = sites.sources().expect("demo sources");
        let e = engine(&crawl_dir);
        e.crawl_once(&sources).await.expect("crawl");
        sites.shutdown().await;
        sources
    });
    let details: Vec<Fetched> = archive::read_dir(&crawl_dir.join("archive"))
        .expect("archive")
        .filter_map(Result::ok)
        .filter(|f| f.role == PageRole::Detail && f.status == 200)
        .collect();
    let mut pages = Vec::with_capacity(want);
    'fill: for copy in 0.. {
        for f in &details {
            if pages.len() >= want {
                break 'fill;
            }
            let mut p = f.clone();
            p.url = with_copy(&f.url, copy);
            pages.push(p);
        }
    }
    eprintln!(
        "{} pages ({} demo detail pages copied)",
        pages.len(),
        details.len()
    );

    // JIANCE_BENCH_NATS: a running server to use (to watch its monitoring port while the
    // bench runs); else a private one on a loopback port with a temporary store.
    let store = tempfile::tempdir().expect("temp dir");
    let (url, mut server) = match std::env::var("JIANCE_BENCH_NATS") {
        Ok(url) => (url, None),
        Err(_) => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("port")
                .port();
            let server = Command::new("nats-server")
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                .arg(store.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nats-server (Debian package nats-server; ./test.sh installs it)");
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                std::thread::sleep(Duration::from_millis(50));
            }
            (format!("nats://127.0.0.1:{port}"), Some(server))
        }
    };
    let workers = jiance::pipeline::workers();

    let (docs, secs) = in_process(&rt, &pages, &sources);
    println!(
        "in-process ({workers} work threads + sink): {docs} documents in {secs:.1} s = {:.0} documents/s",
        docs as f64 / secs
    );
    for analyzers in [1, 2] {
        let (docs, secs) = over_nats(
            &rt,
            &url,
            &format!("bench{analyzers}"),
            &pages,
            &sources,
            analyzers,
        );
        println!(
            "NATS ({analyzers} analyze worker(s) of one thread + sink): {docs} documents in {secs:.1} s = {:.0} documents/s",
            docs as f64 / secs
        );
    }
    let (analyze, sink) = roles_alone(&rt, &url, &pages, &sources);
    println!(
        "roles alone: analyze {analyze:.0} documents/s on one thread (no transport); sink {sink:.0} documents/s (from its stream)"
    );
    let per_day = |rate: f64| rate * 86_400.0 / 1e6;
    println!(
        "per day: one analyze thread {:.1} M documents, one sink {:.1} M documents",
        per_day(analyze),
        per_day(sink)
    );
    let (publish, consume) = per_message(&rt, &url, 5000);
    println!(
        "per message: publish with server ack {publish:.0} µs, pull + decode + ack {consume:.0} µs (one at a time)"
    );
    if let Some(server) = server.as_mut() {
        let _ = server.kill();
        let _ = server.wait();
    }
}
