//! One entry point per input the outside world controls, each taking arbitrary bytes: charset
//! detection, HTML pages, feeds, JSON API responses, the WARC reader, the signal-table reader, the
//! search query parser and the analyzer. The cargo-fuzz targets (`fuzz/fuzz_targets/`, run by
//! `fuzz/run.sh` on a nightly toolchain) are one line each around these, and the test suite's
//! mutation smoke (`tests/it/fuzz.rs`, stable, in CI) drives the same functions over the committed
//! seed corpus (`fuzz/corpus/`) and its mutations — so what CI smokes is what the fuzzer runs.
//!
//! Each entry may return errors for bad input (that is their job) but checks the invariants the
//! rest of jiance relies on, panicking when one breaks so the fuzzer reports it: decoded text holds
//! no NUL, parsed documents respect the text cap, the archive reader ends, a search answers within
//! its limit. Expensive set-up (rules, dictionary, index) is made once per process.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Utc;

use crate::analyze::{Analyzer, ClusterIndex};
use crate::config::{SourceConfig, parse_sources};
use crate::index::{Index, SearchRequest};
use crate::model::{Channel, Document, Fetched, PageRole};

/// The sources the page, feed and API entries parse with: a list/detail HTML site, a feed and a
/// JSON API with dotted paths (one of each kind whose parser takes outside bytes).
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
name = "script"
kind = "html"
channel = "platform"
start = ["http://fuzz.test/s"]
[source.list]
next = "a.next"
[source.list.script]
items = "g_page_config.mods.itemlist.data.auctions"
[source.list.script.fields]
id = "nid"
title = "raw_title"
price = "view_price"
[source.detail]
title = "h1"
[source.detail.script]
text = "pageConfig.product.name"
brand = "pageConfig.product.brand"

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

/// The content types a response may claim; the first input byte picks one (modulo 8, so the seed
/// files' leading digit `0`–`7` names it), and the fuzzer explores declared / sniffed charset
/// disagreements too.
const CONTENT_TYPES: [&str; 8] = [
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=gb2312",
    "text/html; charset=big5",
    "application/xml",
    "application/rss+xml; charset=gbk",
    "application/json",
    "",
];

fn sources() -> &'static [SourceConfig] {
    static S: OnceLock<Vec<SourceConfig>> = OnceLock::new();
    S.get_or_init(|| parse_sources(SOURCES, "fuzz.toml").unwrap_or_default())
}

fn source(name: &str) -> Option<&'static SourceConfig> {
    sources().iter().find(|s| s.name == name)
}

/// Splits the first byte off as a selector; the rest is the input proper.
fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&b, rest)) => (b, rest),
        None => (0, data),
    }
}

fn fetched(role: PageRole, content_type: &str, body: &[u8]) -> Fetched {
    Fetched {
        source: "fuzz".into(),
        url: "http://fuzz.test/page".into(),
        role,
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_vec(),
        fetched_at: Utc::now(),
        record_id: "urn:uuid:fuzz".into(),
        attachments: Vec::new(),
    }
}

/// Charset detection and decoding: any bytes under any declared content type decode to text
/// without NUL (stripped because they cost memory downstream and mean nothing in text).
pub fn charset(data: &[u8]) {
    let (sel, body) = split(data);
    let ct = CONTENT_TYPES[sel as usize % CONTENT_TYPES.len()];
    let text = crate::parse::decode(&fetched(PageRole::Detail, ct, body));
    assert!(!text.contains('\0'), "decoded text holds NUL");
}

fn check_documents(docs: &[Document]) {
    for d in docs {
        assert!(
            d.text.len() <= crate::parse::MAX_DOCUMENT_TEXT,
            "document text of {} bytes passes the cap",
            d.text.len()
        );
    }
}

/// Runs link discovery and document parsing of `source` on `body` in `role`.
fn page_as(source_name: &str, role: PageRole, data: &[u8]) {
    let Some(s) = source(source_name) else {
        return;
    };
    let (sel, body) = split(data);
    let ct = CONTENT_TYPES[sel as usize % CONTENT_TYPES.len()];
    let f = fetched(role, ct, body);
    let _ = crate::parse::discover(&f, s);
    if let Ok(docs) = crate::parse::parse(&f, s) {
        check_documents(&docs);
    }
}

/// HTML pages of a selector-configured site, read both as a list and as a detail page, and
/// with no selectors (article links by shape, generic article extraction).
pub fn html(data: &[u8]) {
    page_as("html", PageRole::List, data);
    page_as("html", PageRole::Detail, data);
    // script data: listing items, product fields, JSON-LD
    page_as("script", PageRole::List, data);
    page_as("script", PageRole::Detail, data);
    let (sel, body) = split(data);
    let ct = CONTENT_TYPES[sel as usize % CONTENT_TYPES.len()];
    let f = fetched(PageRole::Detail, ct, body);
    if let Ok(d) = crate::parse::generic_page(&f) {
        check_documents(std::slice::from_ref(&d));
    }
    let auto = crate::config::SourceConfig::for_page("fuzz", "fuzz.test");
    let list = fetched(PageRole::List, ct, body);
    for kind in [
        crate::config::SourceKind::Html,
        crate::config::SourceKind::Auto,
    ] {
        let _ = crate::parse::discover(
            &list,
            &SourceConfig {
                kind,
                ..auto.clone()
            },
        );
    }
}

/// RSS / Atom / RDF / JSON Feed documents.
pub fn feed(data: &[u8]) {
    page_as("feed", PageRole::Feed, data);
}

/// JSON API responses read with dotted paths.
pub fn json_api(data: &[u8]) {
    page_as("api", PageRole::Api, data);
}

/// A scratch directory for entries whose readers take a path (one per process).
fn scratch() -> Option<&'static (tempfile::TempDir, Mutex<()>)> {
    static D: OnceLock<Option<(tempfile::TempDir, Mutex<()>)>> = OnceLock::new();
    D.get_or_init(|| tempfile::tempdir().ok().map(|d| (d, Mutex::new(()))))
        .as_ref()
}

/// Writes `body` to the scratch file `name` and runs `f` on its path, one caller at a time.
fn with_file(name: &str, body: &[u8], f: impl FnOnce(&std::path::Path)) {
    let Some((dir, lock)) = scratch() else {
        return;
    };
    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    let path: PathBuf = dir.path().join(name);
    if std::fs::write(&path, body).is_ok() {
        f(&path);
    }
    let _ = std::fs::remove_file(&path);
}

/// The WARC reader, on gzip-member and plain files: every record is read or reported, and the
/// reader ends (a corrupt stretch costs its own records only, never a loop).
pub fn warc(data: &[u8]) {
    let name = if data.starts_with(&[0x1f, 0x8b]) {
        "x.warc.gz"
    } else {
        "x.warc"
    };
    with_file(name, data, |path| {
        if let Ok(reader) = crate::crawl::archive::read_file(path) {
            // a record needs at least a version line, so there are fewer than the file's bytes
            let bound = data.len() + 2;
            assert!(reader.take(bound + 1).count() <= bound, "reader never ends");
        }
    });
}

/// The signal-table reader, on JSON Lines and Parquet bytes (the first byte picks the format).
pub fn signals(data: &[u8]) {
    let (sel, body) = split(data);
    let name = if sel & 1 == 0 {
        "signals.jsonl"
    } else {
        "signals.parquet"
    };
    with_file(name, body, |path| {
        let _ = crate::store::signals::scan_report(path);
    });
}

fn analyzer() -> Option<&'static Analyzer> {
    static A: OnceLock<Option<Analyzer>> = OnceLock::new();
    A.get_or_init(|| Analyzer::load(None, None).ok()).as_ref()
}

fn index() -> Option<&'static (tempfile::TempDir, Index)> {
    static I: OnceLock<Option<(tempfile::TempDir, Index)>> = OnceLock::new();
    I.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let jieba: Arc<jieba_rs::Jieba> = analyzer()?.jieba();
        let mut index = Index::open(&dir.path().join("index"), jieba).ok()?;
        // queries are expanded with the rules' concepts, as the service's are
        index.set_vocabulary(&analyzer()?.vocabulary());
        // a few documents, so queries reach scoring, snippets and facets, not only the parser
        let mut writer = index.writer().ok()?;
        let mut clusters = ClusterIndex::new();
        for (i, text) in SEED_TEXTS.iter().enumerate() {
            let doc = document(&format!("seed{i}"), text);
            let ex = analyzer()?.analyze(&doc, &mut clusters);
            writer.upsert(&doc, &ex).ok()?;
        }
        writer.finish().ok()?;
        Some((dir, index))
    })
    .as_ref()
}

/// The search query parser (user syntax: phrases, AND / OR / NOT, +/-, field:value, filters such
/// as category:…, concept expansion) on a small index: any string is answered or refused, and
/// never more hits than the limit.
pub fn query(data: &[u8]) {
    let Some((_, index)) = index() else {
        return;
    };
    let q = String::from_utf8_lossy(data).into_owned();
    let req = SearchRequest {
        query: q,
        ..Default::default()
    };
    if let Ok(r) = index.search(&req) {
        assert!(r.hits.len() <= req.limit.max(1), "more hits than the limit");
    }
}

/// The analyzer on arbitrary text (title from its first characters), within its text cap.
pub fn analyze(data: &[u8]) {
    let Some(analyzer) = analyzer() else {
        return;
    };
    let doc = document("fuzz", &String::from_utf8_lossy(data));
    let mut clusters = ClusterIndex::new();
    let _ = analyzer.analyze(&doc, &mut clusters);
}

/// Texts indexed for the query entry (written for this purpose).
const SEED_TEXTS: [&str; 3] = [
    "某品牌移动电源充电时鼓包起火，消费者投诉商家拒绝退货。",
    "市场监管局通报电动自行车抽查结果，3批次不合格，不合格项目为整车质量。",
    "某公司召回部分儿童玩具，小零件可能脱落，存在窒息风险。",
];

fn document(id: &str, text: &str) -> Document {
    Document {
        id: id.into(),
        source: "fuzz".into(),
        channel: Channel::Media,
        kind: None,
        url: String::new(),
        title: text.chars().take(30).collect(),
        text: text.into(),
        published_at: None,
        fetched_at: Utc::now(),
        fields: Default::default(),
        rows: Vec::new(),
        region_hint: None,
        weight: 1.0,
    }
}

/// The cargo-fuzz targets' `init`: puts the default panic hook back in place of libFuzzer's,
/// which aborts on any panic — also on one jiance catches, its defence where a dependency panics
/// on malformed input (feed-rs, the Parquet footer reader), so a page or file that production
/// survives would be reported as a crash. An uncaught panic is still one: libfuzzer-sys aborts
/// when a panic leaves the target.
pub fn init() {
    drop(std::panic::take_hook());
}

/// A fuzzing entry: arbitrary bytes in, a panic only when an invariant breaks.
pub type Entry = fn(&[u8]);

/// Every entry by name, for the test suite's smoke (each has a cargo-fuzz target of its name).
pub const TARGETS: [(&str, Entry); 8] = [
    ("charset", charset),
    ("html", html),
    ("feed", feed),
    ("json_api", json_api),
    ("warc", warc),
    ("signals", signals),
    ("query", query),
    ("analyze", analyze),
];
