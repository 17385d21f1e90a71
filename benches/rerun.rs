//! `jiance rerun` throughput on a generated archive of at least 200 MB (as stored, gzipped per
//! record), beside the analysis stage alone on the same documents.
//!
//! The archive: the demo sites (src/demo) are crawled once over 127.0.0.1 by the real crawler; the
//! archived detail pages (GBK mall listings, complaint pages, three news portals' articles,
//! regulators' recall and inspection notices, standards) are then written again and again through
//! our `ArchiveWriter`, each copy under a new URL (so a new document id), until the files reach
//! the target size; list, feed and API pages are kept once. Figures printed:
//! - rerun: archive MB/s (bytes as stored) and documents/s, end to end (read + gunzip, parse,
//!   analyze, cluster, index, store, score, partitions);
//! - analysis alone: `Analyzer::analyze` on the parsed documents of the same archive, on as many
//!   threads as the rerun's workers, in documents/s and MB/s of document text (and the archive
//!   MB/s that rate would correspond to).
//!
//! Run: `cargo bench --bench rerun` (JIANCE_BENCH_MB overrides the size in MB; JIANCE_BENCH_ARCHIVE
//! names a directory to write the archive to and keep).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::config::CrawlSettings;
use jiance::crawl::archive::{self, ArchiveWriter, Exchange};
use jiance::model::{Document, Fetched, PageRole};
use jiance::pipeline::rerun::{RerunOptions, rerun};
use jiance::pipeline::{DataDir, Engine, RuleDirs};

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn with_copy(url: &str, n: usize) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}copy={n}")
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs benches once as tests: skip then.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let target_mb: u64 = std::env::var("JIANCE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let work = tempfile::tempdir().expect("temp dir");
    let end = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");

    // 1. Crawl the demo sites once with the real pipeline.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let crawl_dir = work.path().join("crawl");
    let sources = rt.block_on(async {
        let scenario = Arc::new(jiance::demo::scenario(2026, end));
        let sites = jiance::demo::DemoSites::start(scenario)
            .await
            .expect("demo sites");
        let sources = sites.sources().expect("demo sources");
        let engine = Engine::open(
            DataDir::new(&crawl_dir),
            &RuleDirs::default(),
            CrawlSettings::default(),
        )
        .expect("engine");
        engine.crawl_once(&sources).await.expect("crawl");
        sites.shutdown().await;
        sources
    });
    let records: Vec<Fetched> = archive::read_dir(&crawl_dir.join("archive"))
        .expect("archive")
        .filter_map(Result::ok)
        .collect();
    let details: Vec<&Fetched> = records
        .iter()
        .filter(|f| f.role == PageRole::Detail && f.status == 200)
        .collect();
    eprintln!(
        "demo crawl: {} records, {} detail pages, {:.1} MB archived",
        records.len(),
        details.len(),
        dir_bytes(&crawl_dir.join("archive")) as f64 / 1e6
    );

    // 2. The bench archive.
    // JIANCE_BENCH_ARCHIVE keeps the archive there (emptied first), e.g. to time `jiance rerun`
    // of two versions on the same input.
    let archive_dir = match std::env::var_os("JIANCE_BENCH_ARCHIVE") {
        Some(d) => {
            let d = std::path::PathBuf::from(d);
            let _ = std::fs::remove_dir_all(&d);
            d
        }
        None => work.path().join("archive"),
    };
    let mut w = ArchiveWriter::open(&archive_dir, 64 << 20).expect("writer");
    let write = |w: &mut ArchiveWriter, f: &Fetched, url: &str| {
        w.write(&Exchange {
            source: &f.source,
            role: f.role,
            url,
            request_headers: &[],
            status: Some(f.status),
            response_headers: &f.headers,
            body: &f.body,
            fetched_at: f.fetched_at,
            error: None,
            render: false,
        })
        .expect("archive write");
    };
    for f in &records {
        write(&mut w, f, &f.url);
    }
    let target = target_mb * 1_000_000;
    let mut copies = 0usize;
    while dir_bytes(&archive_dir) < target {
        copies += 1;
        for f in &details {
            write(&mut w, f, &with_copy(&f.url, copies));
        }
    }
    drop(w);
    let archive_bytes = dir_bytes(&archive_dir);
    eprintln!(
        "bench archive: {:.1} MB in {} copies of the detail pages",
        archive_bytes as f64 / 1e6,
        copies
    );

    // 3. Rerun, end to end.
    let out = work.path().join("out");
    let opts = RerunOptions {
        archive: archive_dir.clone(),
        out,
        sources: Some(sources.clone()),
        ..RerunOptions::default()
    };
    let t = Instant::now();
    let report = rerun(&opts, &|_| {}).expect("rerun");
    let secs = t.elapsed().as_secs_f64();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!(
        "rerun: {:.1} MB archive in {secs:.1} s = {:.2} MB/s, {} documents = {:.0} documents/s \
         ({} signals, {} alerts, {} failures, {workers} workers)",
        report.bytes_total as f64 / 1e6,
        report.bytes_total as f64 / 1e6 / secs,
        report.documents,
        report.documents as f64 / secs,
        report.signals,
        report.alerts,
        report.failed()
    );

    // 4. Analysis alone on the same documents: every detail page of one copy parsed once, then
    //    analysed as many times as the rerun analysed documents, split over the same threads.
    let analyzer = Analyzer::load(None, None).expect("analyzer");
    let by_name: std::collections::HashMap<&str, _> =
        sources.iter().map(|s| (s.name.as_str(), s)).collect();
    let docs: Vec<Document> = details
        .iter()
        .filter_map(|f| {
            let s = by_name.get(f.source.as_str())?;
            jiance::parse::parse(f, s).ok()
        })
        .flatten()
        .collect();
    let text_bytes: u64 = docs
        .iter()
        .map(|d| (d.title.len() + d.text.len()) as u64)
        .sum();
    let total = report.documents.max(docs.len() as u64) as usize;
    let t = Instant::now();
    std::thread::scope(|s| {
        for k in 0..workers {
            let (analyzer, docs) = (&analyzer, &docs);
            s.spawn(move || {
                let mut n = 0usize;
                for i in (k..total).step_by(workers) {
                    if let Some(d) = docs.get(i % docs.len()) {
                        let ex = analyzer.analyze(d, &mut ClusterIndex::new());
                        n += ex.findings.len();
                    }
                }
                n
            });
        }
    });
    let secs_a = t.elapsed().as_secs_f64();
    let per_doc_text = text_bytes as f64 / docs.len().max(1) as f64;
    let per_doc_archive = report.bytes_total as f64 / report.documents.max(1) as f64;
    let docs_per_s = total as f64 / secs_a;
    println!(
        "analysis alone: {total} documents in {secs_a:.1} s = {docs_per_s:.0} documents/s, \
         {:.2} MB/s of text ({:.2} MB/s of archive at {:.1} KB archived per document), {workers} threads",
        docs_per_s * per_doc_text / 1e6,
        docs_per_s * per_doc_archive / 1e6,
        per_doc_archive / 1e3,
    );
}
