//! Export of a large result set: an index of generated documents (10,000 by default; set
//! `JIANCE_BENCH_DOCS`), every one matching the query, exported as XLSX and as CSV through
//! `Index::export_xlsx` / `export_csv`. Prints rows, time, file size and the process's peak
//! resident memory during each export (Linux: the peak is reset through /proc/self/clear_refs
//! before each one, so index building does not count). Run twice with different sizes to see
//! that the workbook's memory does not grow with the rows (rust_xlsxwriter constant-memory mode).
//!
//! `cargo bench --bench export` (plain harness).

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use jiance::analyze::Analyzer;
use jiance::index::{Index, SearchRequest};
use jiance::model::{Channel, DocKind, Document, Extraction, Finding, Parties};

const PRODUCTS: [&str; 6] = [
    "电动自行车",
    "移动电源",
    "电热毯",
    "取暖器",
    "插线板",
    "充电器",
];
const PROVINCES: [&str; 5] = ["浙江省", "江苏省", "广东省", "湖北省", "四川省"];

fn doc(n: usize) -> (Document, Extraction) {
    let product = PRODUCTS[n % PRODUCTS.len()];
    let province = PROVINCES[n % PROVINCES.len()];
    let t = Utc
        .timestamp_opt(1_760_000_000 + (n as i64) * 600, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let id = format!("doc-{n:06}");
    let title = format!("{province}一居民家中{product}充电时起火（第{n}号）");
    // a body of realistic length (about 600 characters)
    let text = format!(
        "{}月{}日，{province}某小区一户居民家中的{product}在充电时起火，浓烟顺着楼道蔓延，消防救援人员到场后迅速处置。\
         据了解，涉事产品购自网络平台，事故原因正在调查中。",
        n % 12 + 1,
        n % 28 + 1
    )
    .repeat(6);
    let d = Document {
        id: id.clone(),
        source: format!("source-{}", n % 7),
        channel: Channel::Media,
        kind: Some(DocKind::Media),
        url: format!("https://example.cn/{id}"),
        title,
        text,
        published_at: Some(t),
        fetched_at: t,
        fields: Default::default(),
        rows: vec![],
        region_hint: None,
        weight: 1.0,
    };
    let mut ex = Extraction::empty(&id, DocKind::Media);
    ex.categories = vec![product.to_string()];
    ex.findings = vec![Finding {
        category: product.to_string(),
        hazard: "火灾".into(),
        severity: 4,
        province: Some(province.to_string()),
        city: None,
        parties: Parties::default(),
        product: None,
    }];
    ex.is_signal = true;
    // documents come in threes, one story each (a story and two reposts)
    ex.cluster = format!("doc-{:06}", n - n % 3);
    (d, ex)
}

/// Resident set now and its peak, in kB (Linux /proc/self/status); zeros elsewhere.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn reset_peak() {
    // "5" resets the peak resident set size (Linux ≥ 4.0)
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let n: usize = std::env::var("JIANCE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let analyzer = Analyzer::load(None, None).expect("embedded rules");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut index = Index::open(&dir.path().join("index"), analyzer.jieba()).expect("index");
    index.set_vocabulary(&analyzer.vocabulary());
    let mut w = index.writer().expect("writer");
    for i in 0..n {
        let (d, e) = doc(i);
        w.upsert(&d, &e).expect("upsert");
    }
    w.finish().expect("commit");
    let index = Arc::new(index);
    let req = SearchRequest {
        query: "起火".into(),
        ..SearchRequest::default()
    };
    let matched = index.search(&req).expect("search");
    println!(
        "{n} documents indexed; the query matches {} documents in {} stories",
        matched.total,
        matched.stories.unwrap_or(0)
    );
    for name in ["xlsx", "csv"] {
        let path = dir.path().join(format!("export.{name}"));
        let (before, _) = rss();
        reset_peak();
        let started = Instant::now();
        let summary = if name == "xlsx" {
            index.export_xlsx(&req, &path).expect("export")
        } else {
            let f = std::fs::File::create(&path).expect("file");
            index
                .export_csv(&req, std::io::BufWriter::new(f))
                .expect("export")
        };
        let took = started.elapsed();
        let (_, peak) = rss();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "{name}: {} rows in {:.2}s, {:.1} MB file; resident {:.1} MB before, peak {:.1} MB during (+{:.1} MB)",
            summary.rows,
            took.as_secs_f64(),
            size as f64 / 1e6,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            peak.saturating_sub(before) as f64 / 1024.0
        );
    }
}
