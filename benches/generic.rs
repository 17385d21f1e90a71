//! Generic article extraction speed (issue 17): pages per second and MB/s of HTML through
//! `parse::generic::article` (dom_smoothie's Readability plus our title and date rules), on the
//! saved real pages of `../shared/realweb/articles` (34 news pages of 20 KB–1.6 MB; the bench
//! reads them in place and copies nothing). `benches/articles/compare.py` puts the quality
//! beside trafilatura and Mozilla Readability. Run: `cargo bench --bench generic`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realweb/articles");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (this bench reads ../shared/realweb)",
            dir.display()
        )
    }) {
        let path = entry
            .expect("readable directory")
            .path()
            .join("source.html");
        if let Ok(body) = std::fs::read(&path) {
            out.push(jiance::parse::charset::decode_bytes(&body, None));
        }
    }
    out.sort();
    out
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut g = c.benchmark_group("generic");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("articles", |b| {
        b.iter(|| {
            for p in &pages {
                let _ = black_box(jiance::parse::generic::article(
                    black_box(p),
                    "http://realweb.test/page.html",
                ));
            }
        })
    });
    g.finish();
    let start = std::time::Instant::now();
    let rounds = 5;
    for _ in 0..rounds {
        for p in &pages {
            let _ = black_box(jiance::parse::generic::article(
                p,
                "http://realweb.test/page.html",
            ));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "generic extraction: {} pages, {:.1} MB, {:.1} pages/s, {:.2} MB/s",
        pages.len(),
        bytes as f64 / 1e6,
        (pages.len() * rounds) as f64 / secs,
        (bytes * rounds) as f64 / 1e6 / secs
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
