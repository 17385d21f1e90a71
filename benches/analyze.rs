//! Extraction throughput beside raw segmentation of the same text. The texts are the labelled
//! evaluation set (tests/eval/labelled.jsonl, 200+ varied documents). Three figures, in MB/s of UTF-8
//! input:
//! - `jieba_plain`: jieba-rs with its default dictionary, `cut(text, false)` — the limit;
//! - `jieba_user_words`: the analyzer's own tokenizer (default dictionary + rule terms, aliases, cues
//!   and every GB/T 2260 place name as user words) on the folded text;
//! - `extract`: `Analyzer::analyze` (fold, segment, match rules, regions, parties, clusters) plus
//!   `facts` — what `jiance extract` does per line.
//!
//! The issue asks extraction to stay within 2× of segmentation alone. Run: `cargo bench --bench analyze`.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiance::analyze::{Analyzer, ClusterIndex, facts, fold};
use jiance::model::{Channel, Document};

const SET: &str = include_str!("../tests/eval/labelled.jsonl");

fn docs() -> Vec<Document> {
    SET.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .enumerate()
        .map(|(i, v)| Document {
            id: format!("bench-{i}"),
            source: "bench".into(),
            channel: Channel::Media,
            kind: None,
            url: String::new(),
            title: v["title"].as_str().unwrap_or("").to_string(),
            text: v["text"].as_str().unwrap_or("").to_string(),
            published_at: None,
            fetched_at: chrono::Utc::now(),
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let Ok(an) = Analyzer::load(None, None) else {
        panic!("built-in rules do not load");
    };
    let docs = docs();
    let bytes: usize = docs.iter().map(|d| d.title.len() + 1 + d.text.len()).sum();
    let plain = jieba_rs::Jieba::new();
    let tuned = an.jieba();
    let joined: Vec<String> = docs
        .iter()
        .map(|d| format!("{}\n{}", d.title, d.text))
        .collect();

    let mut g = c.benchmark_group("analyze");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("jieba_plain", |b| {
        b.iter(|| {
            joined
                .iter()
                .map(|t| plain.cut(std::hint::black_box(t), false).len())
                .sum::<usize>()
        })
    });
    g.bench_function("jieba_user_words", |b| {
        b.iter(|| {
            joined
                .iter()
                .map(|t| {
                    let f = fold(std::hint::black_box(t)).to_ascii_lowercase();
                    tuned.cut(&f, false).len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| {
            let mut clusters = ClusterIndex::new();
            docs.iter()
                .map(|d| {
                    let x = an.analyze(std::hint::black_box(d), &mut clusters);
                    let f = facts(&d.title, &d.text, &x.standards);
                    x.findings.len() + f.counts.len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
