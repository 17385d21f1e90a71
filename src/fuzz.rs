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
//! its limit — and properties of what they return: archived pages round-trip through our writer,
//! a feed's entries are links it holds, UTF-8 stays UTF-8, whitespace does not move categories. Expensive set-up (rules, dictionary, index) is made once per process.

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
    utf8_stays_utf8(body, &text);
}

/// A body that is UTF-8 holding non-ASCII characters (two at least: one could be a legacy
/// encoding's bytes by chance) is read as UTF-8, whatever its header, XML declaration or
/// `<meta>` claims: it decodes to itself, less a leading BOM and NULs. Returns whether the
/// property applied to `body`.
pub fn utf8_stays_utf8(body: &[u8], decoded: &str) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    if text.chars().filter(|c| !c.is_ascii()).count() < 2 {
        return false;
    }
    let want: String = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .chars()
        .filter(|&c| c != '\0')
        .collect();
    assert!(
        decoded == want,
        "a UTF-8 page was not read as UTF-8: {:?} became {:?}",
        want.chars().take(80).collect::<String>(),
        decoded.chars().take(80).collect::<String>()
    );
    true
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
    feed_entries_are_links(data);
}

/// The feed entries the reader finds are links the feed holds: each is, resolved, a string of
/// the feed's text (an attribute value, an element's text, a JSON string), not one the reader
/// made up or garbled in its repairs. Returns the entries checked.
pub fn feed_entries_are_links(data: &[u8]) -> usize {
    let Some(s) = source("feed") else {
        return 0;
    };
    let (sel, body) = split(data);
    let ct = CONTENT_TYPES[sel as usize % CONTENT_TYPES.len()];
    let f = fetched(PageRole::Feed, ct, body);
    let Ok(found) = crate::parse::discover(&f, s) else {
        return 0;
    };
    if found.details.is_empty() {
        return 0;
    }
    let text = crate::parse::charset::feed_text(&f);
    let links = feed_links(&text, &f.url);
    if let Err(e) = std::panic::catch_unwind(|| entries_within_links(&found.details, &links)) {
        // the feed, for the report
        eprintln!(
            "feed text: {:?}",
            text.chars().take(4000).collect::<String>()
        );
        std::panic::resume_unwind(e);
    }
    found.details.len()
}

/// Panics unless every entry is one of `links`.
pub fn entries_within_links(entries: &[String], links: &std::collections::HashSet<String>) {
    for e in entries {
        assert!(
            links.contains(e),
            "feed entry {e:?} is no link of the feed (it has {} links)",
            links.len()
        );
    }
}

/// Every string of a feed's text that may name a link, resolved against the page's URL and
/// against each absolute URL of the text (`xml:base`, the channel's own link): what lies between
/// `<`, `>` and quotes, as written and with CDATA unwrapped, XML / HTML entities and JSON
/// escapes undone.
fn feed_links(text: &str, page: &str) -> std::collections::HashSet<String> {
    let unwrapped = text.replace("<![CDATA[", "<").replace("]]>", ">");
    // an element's text runs from its tag's `>` to the next `<` (it may hold `>`); attribute
    // values and JSON strings lie between quotes
    // (read with CDATA sections unwrapped, and as written: an attribute may hold `]]>`)
    let mut pieces: Vec<&str> = Vec::new();
    for whole in [unwrapped.as_str(), text] {
        for seg in whole.split('<') {
            match seg.split_once('>') {
                Some((tag, text)) => {
                    pieces.push(text);
                    pieces.extend(tag.split(['"', '\'']));
                }
                None => pieces.extend(seg.split(['"', '\''])),
            }
        }
        pieces.extend(whole.split('"'));
    }
    let mut strings: Vec<String> = Vec::new();
    for piece in pieces {
        let piece = piece.trim();
        if piece.is_empty() || piece.len() > 8192 {
            continue;
        }
        // as written too: a reader may leave references it cannot resolve as they are
        strings.push(piece.to_string());
        strings.push(unescape_xml(piece));
        if piece.contains('\\') {
            // a JSON Feed's string, `\/` and `\u…` escapes undone
            if let Ok(s) = serde_json::from_str::<String>(&format!("\"{piece}\"")) {
                strings.push(s);
            }
        }
    }
    let mut bases: Vec<url::Url> = url::Url::parse(page).into_iter().collect();
    bases.extend(
        strings
            .iter()
            .filter_map(|s| url::Url::parse(s.trim()).ok())
            .take(32),
    );
    let mut links = std::collections::HashSet::new();
    for s in &strings {
        // an absolute URL as it parses alone (feed-rs hands some over parsed), and each string
        // as a reference against each base
        if let Ok(u) = url::Url::parse(s.trim()) {
            links.insert(u.to_string());
        }
        for base in &bases {
            if let Ok(u) = base.join(s.trim()) {
                links.insert(u.to_string());
            }
        }
    }
    links
}

/// XML's five entities, numeric character references and the HTML entities feeds use undeclared.
fn unescape_xml(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 33);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => crate::parse::HTML_ENTITIES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, c)| *c)
                    .or_else(|| {
                        name.strip_prefix("#x")
                            .or_else(|| name.strip_prefix("#X"))
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                            .and_then(char::from_u32)
                    }),
            };
            ch.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
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
            let read: Vec<_> = reader.take(bound + 1).collect();
            assert!(read.len() <= bound, "reader never ends");
            let pages: Vec<Fetched> = read.into_iter().filter_map(Result::ok).collect();
            warc_round_trip(&pages);
        }
    });
}

/// Most pages of one input written again (the property needs one; a few catch order mix-ups).
const ROUND_TRIP_PAGES: usize = 16;

/// Pages read from an archive, written again by our writer and read back, come back the same:
/// source, role, URL, status, headers (less the two the writer drops because the body is stored
/// decoded), body and time to the second. Returns the pages compared.
pub fn warc_round_trip(pages: &[Fetched]) -> usize {
    let pages = &pages[..pages.len().min(ROUND_TRIP_PAGES)];
    if pages.is_empty() {
        return 0;
    }
    let Ok(dir) = tempfile::tempdir() else {
        return 0;
    };
    let Ok(mut writer) = crate::crawl::archive::ArchiveWriter::open(dir.path(), u64::MAX) else {
        return 0;
    };
    for p in pages {
        let ex = crate::crawl::archive::Exchange {
            source: &p.source,
            role: p.role,
            url: &p.url,
            request_headers: &[],
            status: Some(p.status),
            response_headers: &p.headers,
            body: &p.body,
            fetched_at: p.fetched_at,
            error: None,
            render: false,
        };
        if writer.write(&ex).is_err() {
            return 0;
        }
    }
    drop(writer);
    let Ok(reader) = crate::crawl::archive::read_dir(dir.path()) else {
        return 0;
    };
    let again: Vec<Fetched> = reader
        .take(pages.len() + 1)
        .filter_map(Result::ok)
        .collect();
    same_pages(pages, &again);
    pages.len()
}

/// What a page is made of in the archive, as two readings compare it.
fn archived(p: &Fetched) -> impl PartialEq + std::fmt::Debug + '_ {
    let headers: Vec<&(String, String)> = p
        .headers
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("transfer-encoding")
                && !k.eq_ignore_ascii_case("content-encoding")
        })
        .collect();
    (
        (&p.source, p.role, &p.url, p.status),
        headers,
        &p.body,
        p.fetched_at.timestamp(),
    )
}

/// Panics unless `again` holds the pages of `first`, in order, as [`archived`] sees them.
pub fn same_pages(first: &[Fetched], again: &[Fetched]) {
    assert_eq!(
        first.len(),
        again.len(),
        "pages written again and read back: {} of {}",
        again.len(),
        first.len()
    );
    for (a, b) in first.iter().zip(again) {
        assert_eq!(archived(a), archived(b), "a page changed on the way round");
    }
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
        let _ = crate::store::signal_read::scan_report(path);
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
    let text = String::from_utf8_lossy(data);
    let doc = document("fuzz", &text);
    let mut clusters = ClusterIndex::new();
    let first = analyzer.analyze(&doc, &mut clusters);
    let changed = rewhitespace(&text, data.first().copied().unwrap_or(0));
    let again = analyzer.analyze(
        &Document {
            text: changed,
            ..doc
        },
        &mut ClusterIndex::new(),
    );
    same_categories(&first, &again);
}

/// `text` with its whitespace changed but not moved: every run of whitespace becomes another
/// run that still holds a line break where it held one (`how` picks the kind), and the text
/// gains whitespace before and after. What a page's markup or a copy-paste does to a text.
pub fn rewhitespace(text: &str, how: u8) -> String {
    let (space, line) = match how % 3 {
        0 => (" \t ", "\r\n\n"),
        1 => ("\u{3000}", "\n \n"),
        _ => ("  ", "\t\n\t"),
    };
    let mut out = String::from(line);
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            out.push_str(if run.contains('\n') { line } else { space });
            run.clear();
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out.push_str(space);
    out
}

/// Panics unless two extractions name the same product categories.
pub fn same_categories(a: &crate::model::Extraction, b: &crate::model::Extraction) {
    let set = |e: &crate::model::Extraction| {
        let mut c = e.categories.clone();
        c.sort();
        c
    };
    assert_eq!(
        set(a),
        set(b),
        "the same text with other whitespace has other categories"
    );
}

/// Texts indexed for the query entry (written for this purpose).
const SEED_TEXTS: [&str; 3] = [
    "某品牌移动电源充电时鼓包起火，消费者投诉商家拒绝退货。",
    "市场监管局通报电动自行车抽查结果，3批次不合格，不合格项目为整车质量。",
    "某公司召回部分儿童玩具，小零件可能脱落，存在窒息风险。",
];

fn document(id: &str, text: &str) -> Document {
    Document::of_text(
        id,
        "fuzz",
        Channel::Media,
        text.chars().take(30).collect::<String>(),
        text,
    )
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
