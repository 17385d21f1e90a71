//! Crawl throughput: one full pass over a loopback site spread over 100 host names
//! (127.0.0.2 … 127.0.0.101; Linux routes all of 127/8 to lo), politeness switched off (no
//! robots.txt, no rate limit), with everything a real pass does: canonicalisation, link discovery
//! by CSS selectors, the seen-set and page records in SQLite, and every response written to the
//! gzip-per-record WARC archive. Each host serves 2 list pages of 20 detail links: 4,200 pages
//! per pass, in a fresh data directory each time.
//!
//! Reports pages/s (criterion's elements/s) and, printed after the run, CPU time per page of the
//! crawler's threads alone (the servers run on their own named threads, left out), from
//! /proc/self/task/*/stat. Run: `cargo bench --bench crawl`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiance::config::{CrawlSettings, SourceConfig, parse_sources};
use jiance::crawl::{ArchiveWriter, Crawler};
use jiance::model::Fetched;
use jiance::store::Store;
use jiance::telemetry::Counters;

const HOSTS: u8 = 100;
const LIST_PAGES: u32 = 2;
const LINKS: u32 = 20;
const PAGES: u64 = HOSTS as u64 * (LIST_PAGES as u64 + (LIST_PAGES * LINKS) as u64);

async fn list(Path(p): Path<u32>) -> impl IntoResponse {
    let mut html = String::from("<html><body><ul class=\"list\">");
    for i in 0..LINKS {
        let n = p * 1000 + i;
        html.push_str(&format!(
            "<li><a class=\"d\" href=\"/d/{n}?utm_source=list\">关于某品牌电暖器过热的投诉{n}</a></li>"
        ));
    }
    html.push_str("</ul>");
    if p < LIST_PAGES {
        html.push_str(&format!(
            "<a rel=\"next\" href=\"/list/{}\">下一页</a>",
            p + 1
        ));
    }
    html.push_str("</body></html>");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
}

async fn detail(Path(n): Path<u32>) -> impl IntoResponse {
    let body = format!(
        "<html><head><title>投诉{n}</title></head><body><h1>电暖器使用中插头发烫熔化</h1>\
         <div class=\"text\">{}</div></body></html>",
        "消费者反映，购买的电暖器开机约半小时后插头明显发烫，外壳变形并有焦糊味，联系商家未获答复。"
            .repeat(20)
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
}

/// CPU seconds (user + system) of this process's threads whose name starts with `prefix`.
fn thread_cpu(prefix: &str) -> f64 {
    let mut ticks = 0u64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    for t in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else {
            continue;
        };
        // comm is in parentheses and may contain spaces; fields after it are space-separated.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        let rest: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the comm.
        let num = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        ticks += num(11) + num(12);
    }
    ticks as f64 / 100.0 // USER_HZ is 100 on Linux
}

fn sources(addrs: &[SocketAddr]) -> Vec<SourceConfig> {
    let mut text = String::new();
    for (i, a) in addrs.iter().enumerate() {
        text.push_str(&format!(
            r#"
[[source]]
name = "host-{i}"
kind = "html"
channel = "complaint"
start = ["http://{a}/list/1"]
[source.politeness]
rps = 1000000
concurrency = 8
robots = false
[source.list]
links = "a.d"
next = "a[rel=next]"
[source.detail]
title = "h1"
text = "div.text"
"#
        ));
    }
    parse_sources(&text, "bench.toml").expect("bench sources parse")
}

fn bench(c: &mut Criterion) {
    // Servers on their own runtime and threads ("srv-…"), so their CPU is not counted.
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("srv-worker")
        .enable_all()
        .build()
        .expect("server runtime");
    let addrs: Vec<SocketAddr> = servers.block_on(async {
        let mut v = Vec::new();
        for h in 0..HOSTS {
            let ip = format!("127.0.0.{}", 2 + u32::from(h));
            let l = tokio::net::TcpListener::bind((ip.as_str(), 0))
                .await
                .expect("bind 127.0.0.x (all of 127/8 is loopback on Linux)");
            v.push(l.local_addr().expect("addr"));
            let app = Router::new()
                .route("/list/{p}", get(list))
                .route("/d/{n}", get(detail));
            tokio::spawn(async move {
                let _ = axum::serve(l, app).await;
            });
        }
        v
    });
    let srcs = sources(&addrs);
    let settings = CrawlSettings {
        rps: 1e6,
        concurrency: 64,
        per_host_concurrency: 8,
        obey_robots: false,
        timeout: Duration::from_secs(30),
        ..CrawlSettings::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("crawl-worker")
        .enable_all()
        .build()
        .expect("crawl runtime");

    let mut total_pages = 0u64;
    let mut total_wall = Duration::ZERO;
    let mut total_cpu = 0.0f64;
    let mut g = c.benchmark_group("crawl");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(PAGES));
    g.bench_function("100-hosts-4200-pages", |b| {
        b.iter_custom(|iters| {
            let mut wall = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("tempdir");
                let store = Store::open(&dir.path().join("state.sqlite")).expect("store");
                let archive =
                    ArchiveWriter::open(&dir.path().join("archive"), 256 << 20).expect("archive");
                let crawler = Crawler::new(
                    &settings,
                    archive,
                    store,
                    Arc::new(Counters::default()),
                    Arc::new(jiance::parse::Links),
                )
                .expect("crawler");
                let cpu0 = thread_cpu("crawl-");
                let t0 = Instant::now();
                let report = rt.block_on(async {
                    let (tx, mut rx) = tokio::sync::mpsc::channel::<Fetched>(64);
                    let sink = tokio::spawn(async move {
                        let mut n = 0u64;
                        while let Some(f) = rx.recv().await {
                            n += f.body.len() as u64;
                        }
                        n
                    });
                    let r = crawler.crawl(&srcs, tx).await;
                    let _ = sink.await;
                    r
                });
                let dt = t0.elapsed();
                wall += dt;
                assert!(report.failed.is_empty(), "{:?}", report.failed);
                assert_eq!(report.pages, PAGES);
                total_pages += report.pages;
                total_wall += dt;
                total_cpu += thread_cpu("crawl-") - cpu0;
            }
            wall
        })
    });
    g.finish();
    if total_pages > 0 {
        eprintln!(
            "crawl: {total_pages} pages over {HOSTS} hosts in {:.2} s wall: {:.0} pages/s; \
             crawler CPU {:.2} s = {:.0} µs per page",
            total_wall.as_secs_f64(),
            total_pages as f64 / total_wall.as_secs_f64(),
            total_cpu,
            total_cpu * 1e6 / total_pages as f64
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
