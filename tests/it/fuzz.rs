//! Mutation smoke over the inputs the outside world controls (issue 16): charset detection, HTML /
//! feed / JSON parsing and link discovery, the WARC reader, the signal-table reader, the search
//! query parser and the analyzer. Each starts from valid seeds, applies random byte mutations
//! (flips, cuts, repeats, splices, NULs, invalid UTF-8, huge numbers) from a fixed seed, and must
//! neither panic nor hang; errors are fine. `JIANCE_FUZZ_ITERS` sets the rounds per target (the
//! suite's smoke is short; `tests/soak/fuzz.sh` runs long with fresh seeds). cargo-fuzz would be
//! the tool of choice but needs a nightly toolchain, which this project's machines do not have.

use chrono::Utc;
use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::config::parse_sources;
use jiance::index::{Index, SearchRequest};
use jiance::model::{Channel, Document, Fetched, PageRole};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn iters() -> usize {
    std::env::var("JIANCE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn seed() -> u64 {
    std::env::var("JIANCE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// One random mutation of `input`.
fn mutate(rng: &mut StdRng, input: &[u8], seeds: &[&[u8]]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = v.len().max(1);
        match rng.random_range(0..9) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => v.truncate(rng.random_range(0..len)),
            2 if !v.is_empty() => {
                let a = rng.random_range(0..v.len());
                let b = (a + rng.random_range(1..64)).min(v.len());
                let chunk = v[a..b].to_vec();
                for _ in 0..rng.random_range(1..50) {
                    v.splice(a..a, chunk.iter().copied());
                }
            }
            3 => {
                let other = seeds[rng.random_range(0..seeds.len())];
                let at = rng.random_range(0..=v.len());
                let from = rng.random_range(0..other.len().max(1));
                v.splice(at..at, other[from.min(other.len())..].iter().copied());
            }
            4 => {
                let at = rng.random_range(0..=v.len());
                v.splice(at..at, std::iter::repeat_n(0u8, rng.random_range(1..200)));
            }
            5 => {
                let at = rng.random_range(0..=v.len());
                let bad: &[u8] = [&b"\xff\xfe"[..], b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80"]
                    [rng.random_range(0..4)];
                v.splice(at..at, bad.iter().copied());
            }
            6 => {
                let at = rng.random_range(0..=v.len());
                let word: &[u8] = [
                    &b"99999999999999999999"[..],
                    b"-1",
                    b"<![CDATA[",
                    b"]]>",
                    b"\"",
                    b"{",
                    b"[[",
                    b"\r\n\r\n",
                    b"WARC/1.0\r\n",
                    b"\x1f\x8b\x08",
                    "不合格召回起火".as_bytes(),
                ][rng.random_range(0..11)];
                v.splice(at..at, word.iter().copied());
            }
            7 if v.len() > 1 => {
                let a = rng.random_range(0..v.len());
                let b = rng.random_range(a..v.len());
                v.drain(a..b);
            }
            _ => v.reverse(),
        }
    }
    v
}

fn fetched(role: PageRole, content_type: &str, body: Vec<u8>) -> Fetched {
    Fetched {
        source: "t".into(),
        url: "http://fuzz.test/page".into(),
        role,
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body,
        fetched_at: Utc::now(),
        record_id: "urn:uuid:fuzz".into(),
    }
}

const SOURCES: &str = r#"
[[source]]
name = "html"
kind = "html"
channel = "media"
start = ["http://fuzz.test/"]
[source.list]
links = "a.item"
next = "a.next"
[source.detail]
title = "h1"
text = "article p"
published = ".date"

[[source]]
name = "feed"
kind = "feed"
channel = "media"
start = ["http://fuzz.test/rss.xml"]
[source.detail]
title = "h1"
text = "p"

[[source]]
name = "api"
kind = "json"
channel = "complaint"
start = ["http://fuzz.test/api"]
[source.api]
items = "data.items"
fields = { id = "id", title = "t", text = "body", published = "at", url = "link" }
"#;

#[test]
fn parsers_survive_mutated_pages_feeds_and_api_responses() {
    let sources = parse_sources(SOURCES, "fuzz.toml").unwrap();
    let html = "<html><head><meta charset=\"gbk\"><title>t</title></head><body><ul><li><a class=\"item\" href=\"/a/1\">一</a></li></ul><a class=\"next\" href=\"?p=2\">下</a><h1>电热毯召回</h1><span class=\"date\">2026年3月5日</span><article><p>某公司召回电热毯，可能起火。</p></article></body></html>";
    let (gbk, _, _) = encoding_rs::GBK.encode(html);
    let rss = "<?xml version=\"1.0\" encoding=\"big5\"?><rss version=\"2.0\"><channel><item><title>召回</title><link>http://fuzz.test/a/2</link><pubDate>Tue, 03 Mar 2026 08:00:00 +0800</pubDate></item></channel></rss>";
    let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t</title><link href=\"/a/3\"/><updated>2026-03-03T08:00:00Z</updated></entry></feed>";
    let json = r#"{"data":{"items":[{"id":1,"t":"充电宝起火","body":"充电时起火","at":"2026-03-05","link":"/c/1"}],"next":2}}"#;
    let seeds: Vec<Vec<u8>> = vec![
        html.as_bytes().to_vec(),
        gbk.into_owned(),
        rss.as_bytes().to_vec(),
        atom.as_bytes().to_vec(),
        json.as_bytes().to_vec(),
    ];
    let seed_refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    let mut rng = StdRng::seed_from_u64(seed());
    for _ in 0..iters() {
        let base = &seeds[rng.random_range(0..seeds.len())];
        let body = mutate(&mut rng, base, &seed_refs);
        let ct = [
            "text/html",
            "text/html; charset=utf-8",
            "application/xml",
            "application/json",
            "text/plain; charset=big5",
            "",
        ][rng.random_range(0..6)];
        let _ = jiance::parse::decode(&fetched(PageRole::Detail, ct, body.clone()));
        for s in &sources {
            for role in [
                PageRole::List,
                PageRole::Feed,
                PageRole::Api,
                PageRole::Detail,
            ] {
                let f = fetched(role, ct, body.clone());
                let _ = jiance::parse::discover(&f, s);
                let _ = jiance::parse::parse(&f, s);
            }
        }
    }
}

#[test]
fn the_warc_reader_survives_mutated_archives() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    {
        let mut w = jiance::crawl::ArchiveWriter::open(&src, 1 << 30).unwrap();
        for i in 0..4 {
            let url = format!("http://fuzz.test/a/{i}");
            w.write(&jiance::crawl::Exchange {
                source: "s",
                role: PageRole::Detail,
                url: &url,
                request_headers: &[],
                status: Some(200),
                response_headers: &[("content-type".into(), "text/html".into())],
                body: "<h1>召回</h1><p>起火</p>".as_bytes(),
                fetched_at: Utc::now(),
                error: None,
            })
            .unwrap();
        }
    }
    let file = std::fs::read_dir(&src)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let gz = std::fs::read(&file).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut plain)
        .unwrap();
    let seeds = [gz, plain];
    let seed_refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    let mut rng = StdRng::seed_from_u64(seed());
    let case = dir.path().join("case");
    std::fs::create_dir(&case).unwrap();
    for i in 0..iters() {
        let base = &seeds[i % 2];
        let bytes = mutate(&mut rng, base, &seed_refs);
        let name = if i % 2 == 0 { "x.warc.gz" } else { "x.warc" };
        std::fs::write(case.join(name), &bytes).unwrap();
        let reader = jiance::crawl::archive::read_dir(&case).unwrap();
        // every record is read or reported; the reader ends
        assert!(reader.take(100_000).count() < 100_000);
        std::fs::remove_file(case.join(name)).unwrap();
    }
}

#[test]
fn the_signal_reader_survives_mutated_jsonl_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"doc_id":"d1","time":"2026-03-05T08:00:00Z","category":"移动电源","hazard":"火灾","severity":4,"province":"广东省","source":"s","channel":"complaint","kind":"complaint","weight":1.0,"cluster":"d1"}"#;
    let jsonl = format!("{line}\n{line}\n").into_bytes();
    let seeds = [jsonl];
    let seed_refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    let mut rng = StdRng::seed_from_u64(seed());
    let path = dir.path().join("signals.jsonl");
    for _ in 0..iters() {
        let bytes = mutate(&mut rng, &seeds[0], &seed_refs);
        std::fs::write(&path, &bytes).unwrap();
        if let Ok(s) = jiance::store::signals::scan_report(&path) {
            let _ = s.frame.collect();
        }
        let pq = dir.path().join("signals.parquet");
        std::fs::write(&pq, &bytes).unwrap();
        if let Ok(s) = jiance::store::signals::scan_report(&pq) {
            let _ = s.frame.collect();
        }
    }
}

#[test]
fn search_and_analysis_survive_mutated_queries_and_texts() {
    let dir = tempfile::tempdir().unwrap();
    let analyzer = Analyzer::load(None, None).unwrap();
    let index = Index::open(&dir.path().join("index"), analyzer.jieba()).unwrap();
    let queries: [&[u8]; 4] = [
        "电动自行车 起火".as_bytes(),
        b"\"\xe5\x85\x85\xe7\x94\xb5\xe5\xae\x9d\" OR fire NOT x",
        b"category:x AND (a OR b)",
        "召回 -鼓包 +爆炸 title:充电宝".as_bytes(),
    ];
    let mut rng = StdRng::seed_from_u64(seed());
    let mut clusters = ClusterIndex::new();
    for _ in 0..iters() {
        let base = queries[rng.random_range(0..4)];
        let q = mutate(&mut rng, base, &queries);
        let q = String::from_utf8_lossy(&q).into_owned();
        let _ = index.search(&SearchRequest {
            query: q.clone(),
            ..Default::default()
        });
        let doc = Document {
            id: "fuzz".into(),
            source: "s".into(),
            channel: Channel::Media,
            kind: None,
            url: String::new(),
            title: q.chars().take(30).collect(),
            text: q,
            published_at: None,
            fetched_at: Utc::now(),
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let _ = analyzer.analyze(&doc, &mut clusters);
    }
}
